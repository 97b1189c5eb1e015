# Дашборд Clientele: русский. Каждый id отсюда должен быть и в en.ftl (проверяет tests/web.rs).

## Рамка
nav-label = Страницы
nav-overview = Обзор
nav-flows = Движение
nav-today = Сегодня
nav-lost = Ушедшие клиенты
nav-customers = Клиенты
nav-value = Ценность
nav-dates = Ближайшие даты
language-label = Язык
logout = Выйти
signed-in-as = Вы вошли как { $user } ({ $role })
role-admin = администратор
role-analyst = аналитик
role-manager = менеджер
none = —
as-of = Снимок на { $date }
no-snapshot = Снимков пока нет: запустите «clientele score», чтобы заполнить дашборд.
list-total = В списке: { $count }
page-next = Дальше
page-prev = Назад
pagination = Страницы

## Заголовки страниц
page-overview = Обзор
page-flows = Движение
page-today = Сегодня
page-lost = Ушедшие клиенты
page-customers = Клиенты
page-value = Ценность
page-dates = Ближайшие даты
page-login = Вход
page-error = Что-то пошло не так

## Вход
login-name = Имя
login-password = Пароль
login-submit = Войти
login-failed = Неверное имя или пароль.

## Слова модели
rung-prospect = Потенциальный
rung-visitor = Посетитель
rung-newcomer = Новичок
rung-regular = Постоянный
rung-advocate = Приверженец
status-active = Покупает
status-slipping = Затихает
status-lost = Не покупает
status-returners = Вернувшиеся
subgroup-profitable = Прибыльные
subgroup-middling = Средние
subgroup-unprofitable = Малоприбыльные
subgroup-loss-making = Убыточные
strategy-attract = Привлечь
strategy-engage = Вовлечь
strategy-retain = Удержать
strategy-cherish = Беречь
strategy-win-back = Вернуть
action-attract = Превратить контакт в первую покупку: пробное предложение или недорогой вводный товар.
action-engage = Поблагодарить за первую покупку и сделать вторую простой.
action-retain = Держать ритм: напомнить перед обычной следующей покупкой.
action-cherish = Личное внимание: звонок менеджера, поздравления с личными датами.
action-win-back = Узнать, почему ушёл: короткий личный звонок или письмо.
channel-email = Эл. почта
channel-phone = Телефон
channel-sms = SMS
channel-messenger = Мессенджер
channel-post = Почта
channel-visit = Визит
movement-up = Поднялись
movement-down = Опустились
movement-out = Ушли
movement-back = Вернулись
movement-same = Остались
movement-new = Новые

## Количества
customers-count = { $n ->
    [one] { $count } клиент
    [few] { $count } клиента
   *[many] { $count } клиентов
}
days-count = { $n ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
years-count = { $n ->
    [one] { $count } год
    [few] { $count } года
   *[many] { $count } лет
}

## Причины статуса
reason-within = покупает раз в { $every } ± { $spread } { $spread ->
    [one] день
    [few] дня
   *[many] дней
}, последняя покупка { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} назад
reason-late = покупает раз в { $every } ± { $spread } { $spread ->
    [one] день
    [few] дня
   *[many] дней
}, опаздывает на { $late } { $late ->
    [one] день
    [few] дня
   *[many] дней
}
reason-far-beyond = покупает раз в { $every } ± { $spread } { $spread ->
    [one] день
    [few] дня
   *[many] дней
}, молчит { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} (ушедшим считается после { $limit })
reason-recent = последняя покупка { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} назад (затихает после { $limit })
reason-quiet = нет покупок { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} (ушедшим считается после { $limit })
reason-gone = нет покупок { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
} (больше { $limit })
reason-doubtful = вероятность, что клиент ещё с нами, { $p } — ниже { $limit }
reason-probably-gone = вероятность, что клиент ещё с нами, { $p } — ниже порога ухода { $limit }

## Столбцы таблиц
col-customer = Клиент
col-rung = Ступень
col-status = Статус
col-subgroup = Подгруппа
col-customers = Клиенты
col-revenue = Выручка
col-profit = Прибыль
col-strategy = Стратегия
col-change = Изменение
col-manager = Менеджер
col-segment = Сегмент
col-value-at-stake = Под угрозой
col-reason = Почему
col-action = Что сделать
col-channel = Канал
col-value-lost = Потеряно
col-since-last = С последней покупки
col-date = Дата
col-what = Что
col-in-days = Через
col-share = Доля
col-from = Откуда
col-to = Куда
col-at-risk = Под риском
col-churned = Ушли
col-churn-rate = Отток
col-as-of = Снимок
col-p-alive = Ещё с нами (вероятность)
col-order = Заказ
col-amount = Сумма
col-lines = Строк
col-label = Дата
col-next = Ближайшая
col-consent = Согласие
col-source = Источник
col-day = День
col-external-id = Номер в вашей системе
col-name = Имя
col-clv = Пожизненная ценность
col-number = Номер
col-abc = Класс ABC
col-rfm = Ячейка RFM

## Обзор
overview-ladder = Лестница
overview-subgroups = Ступени по прибыльности
overview-status = Статус покупателей
overview-pareto-title = Концентрация
overview-pareto = Лучшие { $top } покупателей приносят { $share } выручки.
overview-changes = Что изменилось с { $date }
overview-first = Это первый снимок: изменения появятся после следующего.
ladder-chart-title = Лестница лояльности
ladder-chart-desc = По ступени на каждый уровень, от потенциального клиента до приверженца; закрашена доля ступени из { $total }.

## Движение
flows-chart-title = Переходы между ступенями
flows-chart-desc = Клиенты на каждой ступени на { $from } (слева) и где они оказались на { $to } (справа); ширина полосы — число клиентов.
flows-before = { $date }
flows-after = { $date }
flows-new = Новые
flows-gone = Выбыли
flow-band = { $from } → { $to }: { $count }
flows-movements = Переходы за последний период
flows-returners = Вернулись за последний период: { $count }
flows-churn = Отток по ступеням
flows-churn-note = Доля клиентов, которые покупали или затихали на ступени в одном снимке и перестали покупать или выбыли к следующему, за { $periods ->
    [one] { $periods } период
    [few] { $periods } периода
   *[many] { $periods } периодов
}.
flows-none = Для переходов нужны два снимка; пересчитайте позже.

## Списки
today-intro = Затихающие постоянные клиенты и приверженцы, самые ценные сначала.
lost-intro = Ушедшие клиенты, самые ценные сначала.
lost-start = Вернуть клиента
lost-case-note = Начата работа по возврату клиента.

## Клиенты
filter-search = Поиск
filter-search-hint = Имя или номер; 1–2 символа — точный номер
filter-any = Любой
filter-apply = Применить
filter-segment-hint = A, B, C или ячейка RFM, например 555
export-csv = Выгрузить CSV
export-xlsx = Скачать для Excel (.xlsx)

## Карточка
card-summary = Сводка
card-reason = Почему такой статус
card-history = История ступеней
card-palive = Вероятность, что клиент ещё с нами, во времени
card-palive-title = Вероятность, что клиент ещё с нами
card-palive-desc = Вероятность, что клиент ещё с нами, на каждом снимке по модели клиентской базы.
card-palive-x = Дней с первого показанного снимка
card-timeline = Покупки
card-dates = Личные даты
card-consents = Согласия и канал
card-channel = Предпочтительный канал
card-manager = Менеджер
card-unassigned = Не назначен
card-contacts = Контакты
card-tags = Метки
card-notes = Заметки
card-no-notes = Заметок пока нет.
card-note-add = Добавить заметку
card-note-submit = Сохранить заметку
card-granted = дано
card-withdrawn = отозвано
card-erased = Персональные данные клиента удалены по запросу.
note-empty = Заметка пустая: сначала напишите текст.

## Ценность
value-pareto-title = Кривая Парето
value-pareto-desc = Доля выручки от лучшей доли покупателей, лучшие сначала; пунктир — равные доли.
value-x = Доля покупателей, %
value-y = Доля выручки, %
value-curve = Покупатели по выручке
value-equal = Равные доли
value-abc = Классы ABC
value-rfm = Ячейки RFM (крупные сначала)

currency-set = Суммы в { $code }: так задано командой «clientele settings currency».
currency-phones = Суммы в { $code }: у { $count } из { $of } телефонов код этой страны (другую валюту задаёт «clientele settings currency КОД»).
currency-names = Суммы в { $code }: { $count } из { $of } имён написаны кириллицей (другую валюту задаёт «clientele settings currency КОД»).
currency-unknown = Валюта сумм неизвестна: задайте её командой «clientele settings currency КОД».

## Даты
dates-intro = С { $from } по { $to }.
date-anniversary = Первая покупка, { $years }
dates-none = В ближайшие 30 дней дат нет.
in-days = { $n ->
    [0] сегодня
    [1] завтра
    [one] через { $count } день
    [few] через { $count } дня
   *[many] через { $count } дней
}
date-birthday = День рождения
holiday-new-year = Новый год
holiday-orthodox-christmas = Рождество (православное)
holiday-defender-day = День защитника Отечества
holiday-womens-day = Международный женский день
holiday-orthodox-easter = Пасха (православная)
holiday-easter = Пасха (западная)
holiday-mothers-day = День матери (международный)
holiday-mothers-day-russia = День матери
holiday-christmas = Рождество (западное)
consent-source-demo-form = анкета при регистрации (демо)

## Ошибки
error-not-found = Не найдено: { $what }.
error-forbidden = Вам это недоступно.
error-csrf = Форма устарела или пришла с другого сайта: обновите страницу и попробуйте снова.
error-invalid = { $field }: { $reason }
error-internal = Сбой сервера; причина записана в его журнал.
what-customer = клиент { $key }
what-snapshot = снимок { $key }
what-user = пользователь { $key }
what-thing = { $key }
error-not-one-of = { $field }: «{ $value }» — не из списка: { $choices }.
error-no-page = Страницы «{ $path }» нет.
error-bad-address = Неверный адрес: «{ $path }».

## Почему клиент на этой ступени (хранится как RungReason::code)
rung-reason-no_touch = известный контакт: ни покупок, ни касаний
rung-reason-touch_only = был контакт ({ $last_touch }), но покупок нет
rung-reason-only_returns = в данных только возвраты, покупок нет
rung-reason-first_purchases = { $purchase_days ->
    [one] первая покупка
   *[other] { $purchase_days } { $purchase_days ->
        [one] день
        [few] дня
       *[many] дней
    } с покупками в этом витке
}
rung-reason-too_few_periods = { $purchase_days } { $purchase_days ->
    [one] день
    [few] дня
   *[many] дней
} с покупками, но в пределах { $periods } { $period ->
    [week] { $periods ->
    [one] недели
   *[other] недель
}
    [month] { $periods ->
    [one] месяца
   *[other] месяцев
}
    [quarter] { $periods ->
    [one] квартала
   *[other] кварталов
}
   *[year] { $periods ->
    [one] года
   *[other] лет
}
}; постоянный покупает хотя бы в { $min_periods }
rung-reason-regular = { $purchase_days } { $purchase_days ->
    [one] день
    [few] дня
   *[many] дней
} с покупками за { $periods } { $period ->
    [week] { $periods ->
    [one] неделю
    [few] недели
   *[many] недель
}
    [month] { $periods ->
    [one] месяц
    [few] месяца
   *[many] месяцев
}
    [quarter] { $periods ->
    [one] квартал
    [few] квартала
   *[many] кварталов
}
   *[year] { $periods ->
    [one] год
    [few] года
   *[many] лет
}
}
rung-reason-promoter = постоянный ({ $purchase_days } { $purchase_days ->
    [one] день
    [few] дня
   *[many] дней
} с покупками) и промоутер NPS ({ $nps }/10)
rung-reason-referrer = постоянный ({ $purchase_days } { $purchase_days ->
    [one] день
    [few] дня
   *[many] дней
} с покупками), привёл клиентов: { $referrals }
rung-reason-full_price = постоянный ({ $purchase_days } { $purchase_days ->
    [one] день
    [few] дня
   *[many] дней
} с покупками), { $share } покупок по полной цене
card-rung-reason = Почему эта ступень
