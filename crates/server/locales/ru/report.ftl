# Отчёт CLI в терминале (`clientele analyze`, текстовый формат; задача 24, пункт 10). Имена, коды,
# пути и флаги передаются аргументами.
cli-title = Clientele: лестница лояльности на { $date }
cli-file = { $path }: { $rows } { $rows_n ->
    [one] строка
    [few] строки
   *[many] строк
}, { $imported } { $imported_n ->
    [one] загружена
   *[other] загружено
} ({ $returns } { $returns_n ->
    [one] возврат
    [few] возврата
   *[many] возвратов
}), { $rejected } { $rejected_n ->
    [one] отклонена
   *[other] отклонено
}, { $duplicates } { $duplicates_n ->
    [one] повтор
    [few] повтора
   *[many] повторов
}, { $after } после даты отчёта
cli-rejects-see = { $count } { $n ->
    [one] строка не загружена
    [few] строки не загружены
   *[many] строк не загружено
} (см. { $file }).
cli-rejects-use-out = { $count } { $n ->
    [one] строка не загружена
    [few] строки не загружены
   *[many] строк не загружено
} (укажите { $flag }, чтобы получить { $file }).
cli-no-cost = Ни у одной строки заказа нет себестоимости: прибыль не показана (укажите столбец себестоимости: { $flag }).
cli-some-cost = У части строк заказов нет себестоимости: прибыль — это выручка минус известные затраты.
cli-col-rung = ступень (стратегия)
cli-col-customers = клиентов
cli-col-share = доля
cli-col-revenue = выручка
cli-col-profit = прибыль
cli-col-active = активны
cli-col-slipping = уходят
cli-col-lost = потеряны
cli-all = все
cli-rung-prospect = потенциальные (привлечь)
cli-rung-visitor = посетители (привлечь)
cli-rung-newcomer = новички (вовлечь)
cli-rung-regular = постоянные (удержать)
cli-rung-advocate = приверженцы (беречь)
cli-subgroup-profitable = прибыльные
cli-subgroup-middling = средние
cli-subgroup-unprofitable = малоприбыльные
cli-subgroup-loss-making = убыточные
cli-returners = Вернувшиеся (пришли снова после потери): { $count }.
cli-none-lost = Потерянных клиентов нет.
cli-lost-brought = { $count } { $n ->
    [one] потерянный клиент принёс
    [few] потерянных клиента принесли
   *[many] потерянных клиентов принесли
} { $revenue } выручки: верните их.
cli-lost-nothing = { $count } { $n ->
    [one] потерянный клиент, не принёсший выручки
    [few] потерянных клиента, не принёсших выручки
   *[many] потерянных клиентов, не принёсших выручки
}.
cli-pareto = Парето: лучшие 20 % клиентов приносят { $top } выручки; 80 % выручки дают { $few } клиентов (Джини { $gini }).
cli-pareto-profit = Лучшие 20 % по прибыли приносят { $top } прибыли.
cli-pareto-none = Парето: нет положительной выручки для анализа.
cli-image-referred = Имиджевые клиенты: { $image } (выручка { $image_revenue }). Пришли по рекомендации: { $referred } (выручка { $referred_revenue }).
cli-model-refused = Модель { $model } не подобрана ({ $reason }); статусы определяются только по ритму и срокам в днях.
cli-model-fitted = Модель { $model } (в днях): { $params }; логарифм правдоподобия { $ll }, сошлась за { $iterations } { $iterations_n ->
    [one] итерацию
    [few] итерации
   *[many] итераций
}.
cli-spend-fitted = Сумма покупки ({ $model }): { $params }; ценность клиента (CLV) за { $days } { $days_n ->
    [one] день
    [few] дня
   *[many] дней
}.
cli-spend-constant = Сумма покупки не меняется (у каждого повторного покупателя в среднем { $value }), поэтому { $model } не подбирается: ожидаемая сумма покупки — { $value }; ценность клиента (CLV) за { $days } { $days_n ->
    [one] день
    [few] дня
   *[many] дней
}.
cli-spend-refused = Модели суммы покупки нет ({ $reason }), поэтому нет и CLV.
cli-none-slipping = Среди постоянных и приверженцев уходящих нет.
cli-slipping = Постоянные и приверженцы, которые уходят (по ценности под угрозой: CLV за { $days } { $days ->
    [one] день
    [few] дня
   *[many] дней
}, которую потеряем, если они уйдут):
cli-slipping-revenue = выручка
cli-slipping-at-stake = под угрозой
# Что распознано в файле (заметки импорта).
cli-note-encoding = кодировка
cli-note-separator = разделитель
cli-note-fields = поля
cli-note-header = строка заголовков
cli-note-dates = даты
cli-note-decimal = десятичный знак
cli-note-yes = да
cli-note-no = нет
cli-note-as-told = как указано
cli-note-bom = с меткой порядка байтов
cli-note-not-utf8 = байты не в UTF-8
cli-note-tab = табуляция
cli-note-spaces = группы пробелов
cli-note-column = столбец
cli-note-by-header = по названию
cli-note-no-decimals = ни в одном значении образца нет дробной части
cli-note-seen = видно в { $example }; { $n ->
    [one] согласно { $n } значение
    [few] согласны { $n } значения
   *[many] согласны { $n } значений
}
cli-note-price-as-amount = сумма: нет столбцов суммы и количества, поэтому суммой строки считается её цена
