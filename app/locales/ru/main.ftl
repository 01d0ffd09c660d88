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
redeem-error-locked-out = Слишком много неверных кодов. Ввод кодов приостановлен до { $until }.
redeem-error-cooldown = Сейчас в сервисе вводят много неверных кодов, поэтому после неверного кода нужна короткая пауза. Попробуйте снова в { $until }.
redeem-error-throttled = Слишком много попыток за короткое время. Попробуйте снова через { $seconds } с.
redeem-error-balance-full = На вашем балансе не поместится эта награда.
error-internal = У нас что-то пошло не так. Попробуйте ещё раз через минуту.

nav-label = Главное меню
nav-redeem = Активировать
nav-wallet = Кошелёк
nav-activations = Мои коды
nav-notifications = Входящие
nav-unread = { $count ->
    [one] { $count } непрочитанное уведомление
    [few] { $count } непрочитанных уведомления
   *[many] { $count } непрочитанных уведомлений
}
nav-sign-in = Войти
nav-sign-up = Регистрация
nav-sign-out = Выйти
nav-account = Аккаунт
footer-text = Промокоды · коды, пасхалки и награды
egg-lantern-title = Тёплый свет
egg-key-title = Что-то маленькое и серебряное
egg-compass-title = Что-то медное, указывающее путь

home-redeem = Активировать код

amount = { $currency ->
    [COINS] { $amount ->
        [one] { $shown } монета
        [few] { $shown } монеты
       *[many] { $shown } монет
    }
    [GEMS] { $amount ->
        [one] { $shown } кристалл
        [few] { $shown } кристалла
       *[many] { $shown } кристаллов
    }
   *[other] { $shown } { $currency }
}

# A currency on its own (report headings).
currency-name = { $currency ->
    [COINS] Монеты
    [GEMS] Кристаллы
   *[other] { $currency }
}
# Dates: $month is 1-12.
date-day = { $day } { $month ->
    [1] янв.
    [2] февр.
    [3] мар.
    [4] апр.
    [5] мая
    [6] июн.
    [7] июл.
    [8] авг.
    [9] сент.
    [10] окт.
    [11] нояб.
   *[12] дек.
} { $year }
date-day-short = { $day } { $month ->
    [1] янв.
    [2] февр.
    [3] мар.
    [4] апр.
    [5] мая
    [6] июн.
    [7] июл.
    [8] авг.
    [9] сент.
    [10] окт.
    [11] нояб.
   *[12] дек.
}
date-week-of = неделя с { $day }

pager-label = Страницы
pager-previous = ← Назад
pager-next = Вперёд →
pager-page = Страница { $page }

redeem-title = Активировать код
redeem-hint = Регистр, пробелы и дефисы не важны.
redeem-label = Промокод
redeem-submit = Активировать
redeem-success-title = Код активирован!
redeem-earlier-title = Вы уже находили эту пасхалку
redeem-secret = Секретное послание:
redeem-balance = Ваш баланс:

field-username = Имя пользователя
field-password = Пароль
field-confirm = Повторите пароль
signin-title = Вход
signin-submit = Войти
signin-no-account = Ещё нет аккаунта?
signin-error-credentials = Неверное имя пользователя или пароль.
signin-error-wait = Слишком много неудачных попыток входа в этот аккаунт. Попробуйте снова через { $seconds } с.
signin-link-expired = Срок действия этой ссылки для входа истёк. Запросите новую или войдите с паролем.
signin-link-invalid = Эта ссылка для входа недействительна. Войдите с паролем.
signup-title = Создать аккаунт
signup-submit = Зарегистрироваться
signup-error-username = Имя пользователя: от 3 до 40 букв, цифр, точек, дефисов или подчёркиваний.
signup-error-password = Пароль должен быть не короче 8 символов.
signup-error-confirm = Пароли не совпадают.
signup-error-taken = Это имя пользователя уже занято.

bad-request-title = Не удалось прочитать запрос
bad-request-message = В отправленных данных чего-то не хватает или что-то записано неверно. Вернитесь и попробуйте снова.
bad-request-back = На главную

egg-title = Вы нашли пасхалку!
egg-closed-title = Здесь что-то спрятано
egg-closed-hint = Откройте, чтобы узнать, что это.
egg-claim = Открыть
egg-empty-title = Здесь пусто
egg-empty = Здесь всё-таки ничего не спрятано.

account-title = Ваш аккаунт
account-password-title = Сменить пароль
account-password-current = Текущий пароль
account-password-new = Новый пароль
account-password-confirm = Новый пароль ещё раз
account-password-submit = Сменить пароль
account-announcements-title = Новые коды
account-announcements-on = Мы сообщаем во входящих, когда для вас появляется новый код.
account-announcements-off = Вы не получаете сообщений о новых кодах. Найденные самостоятельно коды по-прежнему работают.
account-announcements-turn-off = Не сообщать
account-announcements-turn-on = Сообщать о новых кодах
account-password-changed = Пароль изменён. Здесь вы остаётесь в аккаунте, на всех других устройствах выполнен выход.
account-error-current = Текущий пароль неверен.

wallet-title = Кошелёк
wallet-balances = Балансы
wallet-empty = Пока пусто. Активируйте код, чтобы получить первые монеты.
wallet-history = История
col-when = Когда
col-source = Источник
col-amount = Сумма
col-balance = Баланс
col-code = Код
col-channel = Как
source-promo = Промокод { $code }
source-adjustment = Корректировка
activations-title = Мои коды
activations-empty = Вы ещё не активировали ни одного кода.
channel-form = Форма активации
channel-egg = Пасхалка
channel-api = Платформа
channel-job = Автоматически

notifications-title = Входящие
notifications-empty = Уведомлений нет.
notifications-mark-all = Отметить все как прочитанные
notifications-mark-one = Отметить как прочитанное
notification-activation = Вы активировали { $code } и получили { $amount }.
notification-new-code = Для вас новый промокод: { $code } — { $amount }. Активируйте его на странице «Активировать».
