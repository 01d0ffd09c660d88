# Promocodes, русский.

app-name = Промокоды
nav-home = Главная
nav-language = Язык
skip-to-content = Перейти к содержимому

home-title = Промокоды
home-lead = Активируйте коды, ищите спрятанные пасхалки и собирайте монеты.
home-how-it-works = Как это работает
home-step-get = Получите код на событии, в рассылке или у партнёра.
home-step-enter = Введите его на странице активации.
home-step-reward = Награда сразу поступит в ваш кошелёк.

not-found-title = Страница не найдена
not-found-back = Вернуться на главную

redeem-error-malformed = Код состоит только из букв и цифр (пробелы и дефисы не учитываются), не длиннее 64 символов.
redeem-error-unknown = Такого кода нет. Проверьте его и попробуйте снова.
redeem-error-disabled = Такого кода нет. Проверьте его и попробуйте снова.
redeem-error-not-started = Этот код ещё не действует. Он начнёт работать { $starts_at }.
redeem-error-expired = Срок действия этого кода истёк.
redeem-error-exhausted = Этот код уже израсходован.
redeem-error-already-activated = Вы уже активировали этот код.
redeem-error-not-eligible = Этот код недоступен для вашего аккаунта.
redeem-error-unknown-player = Войдите, чтобы активировать коды.
error-internal = У нас что-то пошло не так. Попробуйте ещё раз через минуту.
