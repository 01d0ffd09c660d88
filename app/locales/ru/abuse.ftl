# Защита от перебора: страница 429 и блокировки в панели.

throttled-title = Слишком много запросов
throttled-back = Попробовать снова

admin-nav-blocks = Блокировки
admin-entity-block = блокировка
admin-stat-blocks = действующих блокировок
admin-alert-spike = Всплеск неверных кодов: { $failures } за минуту. До { $until } игроки без чистой истории делают паузу после каждого неверного кода.

admin-blocks-title = Блокировки ввода кодов
admin-blocks-help = Слишком много неверных кодов от одного игрока или с одного адреса временно блокируют ввод кодов, повторно — дольше. Постоянных игроков (уже активировавших код или зарегистрированных больше суток назад) чужая блокировка не задерживает. Снятая блокировка перестаёт действовать сразу на всех серверах; блокировки и их снятие записываются в журнал.
admin-blocks-show-active = Действующие
admin-blocks-show-recent = За 24 часа
admin-blocks-none = Блокировок нет.
admin-blocks-lifted = Блокировка снята.
admin-blocks-not-lifted = Эта блокировка уже закончилась.

admin-block-who = Кто
admin-block-why = Причина
admin-block-since = С
admin-block-until = До
admin-block-status = Состояние
admin-block-scope-player = игрок
admin-block-scope-ip = адрес
admin-block-scope-service = все без чистой истории
admin-block-reason-failures = { $failures ->
    [one] { $failures } неверный код
    [few] { $failures } неверных кода
   *[other] { $failures } неверных кодов
}
admin-block-reason-spread = неверные коды для многих аккаунтов ({ $failures })
admin-block-reason-spike = всплеск по всему сервису ({ $failures } неверных кодов в минуту)
admin-block-strike = блокировка № { $strike } за сутки
admin-block-active = действует
admin-block-ended = закончилась
admin-block-lifted-by = снял(а) { $admin }
admin-block-lift = Снять

busy-title = Сервис перегружен
busy-message = Сейчас здесь слишком много людей. Попробуйте снова через мгновение.
