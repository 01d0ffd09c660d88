# Statistics pages (dashboard).
stats-from = С
stats-to = По
stats-show = Показать
stats-presets = Частые периоды
stats-preset-today = Сегодня
stats-preset-7 = 7 дней
stats-preset-30 = 30 дней
stats-preset-90 = 90 дней
stats-preset-365 = Год
stats-error-date = Даты пишутся как ГГГГ-ММ-ДД, годы с 1970 по 9999. Вместо этого показаны последние 30 дней.
stats-error-order = Период кончается раньше, чем начинается. Вместо этого показаны последние 30 дней.
stats-error-too-long = Период может быть не длиннее десяти лет. Вместо этого показаны последние 30 дней.
stats-as-of = Данные на { $at } (дни по UTC).
stats-computed-at = Рассчитано { $at }; пересчитывается каждые несколько минут (недели начинаются с понедельника, UTC).
stats-not-computed = Ещё не рассчитано: данные появятся через несколько минут после запуска сервера.
stats-reports = Отчёты
stats-not-found = Здесь не о чем отчитываться.
stats-nothing = В этом периоде ничего нет.

stats-service-title = Статистика
stats-campaigns-title = Сравнение кампаний
stats-retention-title = Удержание
stats-code-title = Код { $name }
stats-group-title = Группа { $name }
stats-series-title = Серия { $name }
stats-campaign-title = Кампания { $name }
stats-partner-title = Партнёр { $name }
stats-released = выпущен { $at }
stats-edit-code = Изменить код
stats-scope-codes = { $count ->
    [one] { $shown } код
    [few] { $shown } кода
   *[many] { $shown } кодов
}

stats-activations = Активации
stats-activations-total = Всего активаций
stats-activations-all-time = Активации (за всё время)
stats-today = Сегодня
stats-last-7 = За 7 дней
stats-last-30 = За 30 дней
stats-unique-players = Уникальные игроки
stats-players = Игроки
stats-rewards = Награды
stats-rewards-total = Выдано наград
stats-remaining = Осталось активаций
stats-current-reward = Следующая награда
stats-in-range = За период: { $count ->
    [one] { $shown } активация
    [few] { $shown } активации
   *[many] { $shown } активаций
}, { $rewards }.
stats-codes-used = Использовано кодов
stats-codes-used-share = Доля использованных кодов
stats-new-redeemers = Новые активаторы
stats-share = Доля
stats-channel = Канал
stats-channels = По каналам
stats-kind = Тип кода
stats-campaign = Кампания
stats-campaigns = Кампании
stats-player = Игрок
stats-external-id = Id на платформе
stats-reward = Награда
stats-month = Месяц
stats-owed = К выплате

stats-chart-activations = Активации по времени, по каналам
stats-chart-delays = Время от выпуска до активации
stats-chart-kinds = Активации по типам кодов
stats-chart-redeemers = Активаторы по дням: впервые и повторно
stats-chart-abuse = Неверные коды и блокировки по периодам
stats-kinds-title = Популярность типов кодов
stats-redeemers-title = Новые и вернувшиеся активаторы
stats-top-players = Самые активные игроки
stats-abuse-title = Неверные коды и блокировки
stats-top-codes = Самые активируемые коды
stats-marketing-channels = По маркетинговым каналам

stats-players-title = Кто активировал
stats-players-csv = Скачать всех в CSV
stats-players-empty = Этот код ещё никто не активировал.

stats-payout-title = Выплата
stats-payout-rate = { $amount } за активацию, за активации кодов партнёра в этом периоде.
stats-payout-csv = Скачать выплату в CSV

stats-retention-help = Платформа сообщает об активности игроков (POST /api/v1/activity). Когорта — игроки, впервые активировавшие код на этой неделе, рядом с игроками, зарегистрированными на этой неделе и ничего не активировавшими; каждый столбец — доля активных через столько-то недель.
stats-cohorts-redeemers = Активаторы, по неделе первой активации
stats-cohorts-others = Игроки без активаций, по неделе регистрации
stats-cohort-week = Неделя с
stats-week-after = { $k ->
    [0] Та же неделя
   *[other] +{ $k } нед.
}
stats-week-offset = { $k ->
    [0] Неделя первой активации
   *[other] { $k } нед.
}
stats-impact-title = Активность вокруг кампании
stats-impact-help = Активаторы каждой кампании: доля активных за четыре недели до недели их первой активации в ней, в эту неделю и в три следующие, и сколько действий они совершили.
stats-events = { $count ->
    [one] { $shown } действие
    [few] { $shown } действия
   *[many] { $shown } действий
}

stats-delay-1h = < 1 часа
stats-delay-6h = 1–6 часов
stats-delay-1d = 6–24 часа
stats-delay-3d = 1–3 дня
stats-delay-7d = 3–7 дней
stats-delay-30d = 7–30 дней
stats-delay-later = Позже

stats-key-form = Форма
stats-key-egg = Пасхалка
stats-key-api = API
stats-key-job = Задание
stats-key-standard = Обычный
stats-key-decreasing = Убывающий
stats-key-limited = Ограниченный
stats-key-temporary = Временный
stats-key-new = Впервые
stats-key-returning = Повторно
stats-key-wrong_codes = Неверные коды
stats-key-blocks = Блокировки
stats-block-failures = Слишком много неверных кодов
stats-block-spread = Один адрес, много аккаунтов
stats-block-spike = Всплеск по всему сервису

chart-table = Данные таблицей
chart-period = Период
chart-total = Итого
chart-desc = { $count } периодов, всего { $total }; больше всего, { $top }, — { $peak }.
chart-desc-empty = { $count } периодов, ни в одном ничего нет.
