# Личные коды («ваши коды») и награды за действия на платформе.
nav-my-codes = Личные коды
my-codes-title = Ваши личные коды
my-codes-intro = Коды, выданные только вам: никто другой их не активирует.
my-codes-empty = Вам пока не выдано ни одного кода.
my-codes-state-open = Можно активировать
my-codes-state-redeemed = Активирован
my-codes-state-expired = Истёк
my-codes-redeem = Активировать
my-codes-until = До { $date }
notification-code-issued = Код только для вас: { $code } — { $amount }. Он в разделе «Личные коды».

admin-nav-actions = Награды за действия
admin-entity-action_reward = Награда за действие
admin-actions-title = Награды за действия на платформе
admin-actions-intro = Платформа сообщает, что сделал игрок (POST /api/v1/players/{"{"}id{"}"}/actions). Здесь каждому ключу действия назначается награда: зачисление сразу или личный код, который игрок активирует сам.
admin-actions-empty = Пока ни одно действие ничего не приносит.
admin-actions-action = Ключ действия
admin-actions-gives = Награда
admin-actions-gives-grant = Зачисление сразу
admin-actions-gives-code = Личный код
admin-actions-reward = Сумма
admin-actions-currency = Валюта
admin-actions-once = Один раз на игрока
admin-actions-once-yes = Один раз на игрока
admin-actions-once-no = За каждое сообщение
admin-actions-code-days = Срок кода (дней)
admin-actions-enabled = Включено
admin-actions-rewarded = Выдано
admin-actions-save = Сохранить награду
admin-actions-saved = Сохранено.
admin-actions-form-title = Добавить или изменить награду за действие
admin-actions-edit = Изменить
admin-error-action-key = Используйте строчные латинские буквы, цифры и _ . : - (до 40), начиная с буквы или цифры.
api-error-report-key = Ключ сообщения — от 1 до 200 символов, без управляющих.

# Рефералы, квесты и лояльность (issue 15).
nav-quests = Квесты
nav-invite = Пригласить друзей
invite-title = Пригласите друзей
invite-offer-sign-up = Друг, зарегистрировавшийся по вашей ссылке, получит { $friend }, а вы — { $you }, как только он присоединится.
invite-offer-first-redeem = Друг, зарегистрировавшийся по вашей ссылке, получит { $friend }, а вы — { $you }, когда он активирует первый код.
invite-program-off = Реферальная программа приостановлена: друзья могут присоединиться по ссылке, но вознаграждений пока нет.
invite-share = Поделитесь ссылкой:
invite-code = Ваш код приглашения:
invite-joined = Друзей присоединилось
invite-converted = Из них активировали код
invite-held = Ждут проверки
invite-earned = Вы заработали
invite-landing-title = { $name } приглашает вас в Promocodes
invite-landing-offer = Зарегистрируйтесь по приглашению и получите { $amount }.
invite-landing-sign-up = Зарегистрироваться по приглашению
invite-new-players-only = Вы уже вошли: приглашения — для новых игроков.
invite-unknown-title = Приглашение не найдено
invite-unknown = Такой ссылки-приглашения нет. Зарегистрироваться можно и без неё.
signup-invited = Вы регистрируетесь по приглашению { $code }.
quests-title = Квесты
quests-empty = Сейчас квестов нет.
quests-progress = { $done } из { $target }
quests-reward = Награда:
quests-completed = Выполнен, награда начислена:
quests-step-code = Активируйте код { $code }
quests-step-group = { $count ->
    [one] Активируйте { $count } код из «{ $name }»
    [few] Активируйте { $count } кода из «{ $name }»
   *[other] Активируйте { $count } кодов из «{ $name }»
}
quests-step-campaign = { $count ->
    [one] Активируйте { $count } код кампании «{ $name }»
    [few] Активируйте { $count } кода кампании «{ $name }»
   *[other] Активируйте { $count } кодов кампании «{ $name }»
}
quests-step-eggs = { $count ->
    [one] Найдите { $count } спрятанную пасхалку
    [few] Найдите { $count } спрятанные пасхалки
   *[other] Найдите { $count } спрятанных пасхалок
}
quests-step-codes = { $count ->
    [one] Активируйте { $count } любой код
    [few] Активируйте { $count } любых кода
   *[other] Активируйте { $count } любых кодов
}
notification-quest-completed = Квест выполнен: { $quest }. Вы получили { $amount }.
notification-referral-rewarded = Ваш друг { $friend } присоединился: вы получили { $amount }.

admin-nav-referrals = Рефералы
admin-nav-quests = Квесты
admin-nav-loyalty = Лояльность
admin-entity-referral_program = Реферальная программа
admin-entity-quest = Квест
admin-entity-loyalty_rule = Правило лояльности
admin-referrals-title = Реферальная программа
admin-referrals-intro = У каждого игрока есть ссылка-приглашение (/r/код). Друг, зарегистрировавшийся по ней, получает награду, как и пригласивший его игрок, — каждый один раз.
admin-referrals-inviters = Игроков со ссылкой
admin-referrals-joined = Друзей присоединилось
admin-referrals-converted = Активировали код
admin-referrals-held = На проверке
admin-referrals-rejected = Отклонено
admin-referrals-capped = Сверх лимита
admin-referrals-referee-rewards = Выплачено друзьям
admin-referrals-referrer-rewards = Выплачено пригласившим
admin-referrals-top = Лучшие пригласившие
admin-referrals-none = Пока никого не пригласили.
admin-referrals-referrer = Пригласивший
admin-referrals-paid = Выплачено
admin-referrals-review = На проверке
admin-referrals-none-held = Проверки не ждёт ни одно приглашение.
admin-referrals-friend = Друг
admin-referrals-address = Адрес
admin-referrals-accept = Принять и выплатить
admin-referrals-reject = Отклонить
admin-referrals-program = Настройки
admin-referrals-enabled = Программа включена
admin-referrals-referee-reward = Награда другу
admin-referrals-referrer-reward = Награда пригласившему
admin-referrals-pay-on = Пригласившему платим
admin-referrals-pay-first_redeem = Когда друг активирует первый код
admin-referrals-pay-sign_up = Когда друг регистрируется
admin-referrals-cap = Наград пригласившему не больше
admin-referrals-cap-hint = За период ниже; пусто — без лимита.
admin-referrals-cap-days = Период (дней)
admin-referrals-threshold = Регистраций с одного адреса в день до проверки
admin-referrals-threshold-hint = Следующие регистрации с того же адреса ждут администратора.
admin-referrals-save = Сохранить программу
admin-quests-title = Квесты
admin-quests-intro = Квест выполнен, когда выполнены все шаги: игроки продвигаются, активируя коды, а награда выплачивается один раз при завершении.
admin-quests-empty = Квестов пока нет.
admin-quests-quest = Квест
admin-quests-steps = Шаги
admin-quests-completions = Выполнили
admin-quests-kind-code = Определённый код
admin-quests-kind-group = Коды группы
admin-quests-kind-campaign = Коды кампании
admin-quests-kind-codes = Любые коды
admin-quests-kind-eggs = Пасхалки
admin-quests-form-title = Добавить или изменить квест
admin-quests-slug = Ключ (тот же ключ меняет квест)
admin-quests-title-en = Название (английский)
admin-quests-story-en = История (английский)
admin-quests-title-ru = Название (русский)
admin-quests-story-ru = История (русский)
admin-quests-steps-hint = Каждый шаг: вид; что он называет (код, название группы или кампании, ссылки пасхалок через запятую или пусто — любая пасхалка); сколько.
admin-quests-step = Шаг { $n }
admin-quests-kind = Вид
admin-quests-subject = Код, название или ссылки пасхалок
admin-quests-target = Сколько
admin-quests-save = Сохранить квест
admin-loyalty-title = Правила лояльности
admin-loyalty-intro = Правила выдают личные коды: каждые N активаций игрока, ежемесячно уровню или один раз участникам программы с меткой. Каждый код выдаётся один раз и истекает в заданный срок.
admin-loyalty-empty = Правил лояльности пока нет.
admin-loyalty-when = Выдаётся
admin-loyalty-issued = Выдано кодов
admin-loyalty-redeemed = Активировано
admin-loyalty-kind-every_n = Каждые N активаций
admin-loyalty-kind-monthly_tier = Ежемесячно уровню
admin-loyalty-kind-tagged = Один раз участникам с меткой
admin-loyalty-form-title = Добавить или изменить правило
admin-loyalty-value = N, уровень или метка
admin-loyalty-value-hint = Число для «каждые N активаций»; иначе уровень (vip) или метка (beta).
admin-loyalty-save = Сохранить правило
admin-error-quest-steps = В квесте от 1 до 20 шагов.
admin-error-quest-subject = Шаг называет код, группу, кампанию или пасхалку, которых нет.
admin-error-quest-target = Шаг требует от 1 до 1000.
admin-error-quest-in-progress = Игроки уже продвинулись в этом квесте: его шаги больше нельзя менять.
admin-error-rule-value = Укажите число от 1 для «каждые N активаций» или уровень либо метку до 32 символов.
admin-sheet-open = Лист для печати
admin-sheet-title = { $name }: лист для печати
admin-sheet-hint = Карточки с кодом и QR-кодом ссылки активации — для печатных материалов и мероприятий. Напечатайте страницу (Ctrl+P): на печать идут только карточки. Каждая страница карточек — один печатный лист.
admin-sheet-page = Страница { $page }
admin-sheet-empty = В этой серии пока нет кодов.
admin-sheet-reward = { $amount }
admin-sheet-how = Отсканируйте код или введите его на странице «Активировать».
for-you-title = Для вас
for-you-announced = Новый код { $code }: { $amount }
for-you-personal = Ваш личный код { $code }: { $amount }
for-you-quest = Квест «{ $quest }»: выполнено { $done } из { $target }, награда { $amount }
admin-referrals-referee-currency = Валюта награды другу
admin-referrals-referrer-currency = Валюта награды пригласившему
