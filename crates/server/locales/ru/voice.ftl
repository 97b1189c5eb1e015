# Голос клиента: страница NPS.
nav-nps = NPS
page-nps = Индекс лояльности (NPS)
nps-filter-from = С
nps-filter-to = По
nps-filter-by = Разбить по
nps-filter-period = Динамика по
nps-filter-touchpoint = Точка контакта
nps-filter-min_answers = Минимум ответов
nps-bad-filter = В фильтре «{ $field }» значение, которое нельзя использовать; исправьте его и примените снова.
nps-apply = Применить
nps-period-month = месяцам
nps-period-quarter = кварталам
nps-by-none = без разбивки
nps-by-rung = ступени
nps-by-subgroup = подгруппе прибыли
nps-by-manager = менеджеру
nps-by-channel = каналу
nps-by-touchpoint = точке контакта
nps-by-segment = сегменту RFM
nps-by-status = состоянию
nps-empty = Ответов на опросы за эти даты пока нет.
nps-empty-help = Ответы попадают сюда импортом («clientele surveys import ФАЙЛ»), через программный интерфейс («POST /api/v1/survey-answers») и по ссылкам из приглашений. Если ответы должны быть, расширьте даты.
nps-headline = NPS { $nps } ± { $moe } п., по { $n ->
    [one] { $count } респонденту
   *[other] { $count } респондентам
}.
nps-headline-not-enough = Ответов мало для оценки: { $n ->
    [one] { $count } респондент
    [few] { $count } респондента
   *[many] { $count } респондентов
}, нужно не меньше { $min }.
nps-band-favourite = Выше 50: компания среди любимых у клиентов.
nps-band-known_must_improve = От 10 до 50: компанию знают, но клиентоориентированность нужно повышать.
nps-band-not_valued = Ниже 10: клиенты не ценят компанию.
nps-band-unsettled = 95-процентный интервал заходит в соседнюю зону, так что зона не определена точно.
nps-note = Учитывается только последний ответ каждого респондента (прочитано { $n ->
    [one] { $count } ответ
    [few] { $count } ответа
   *[many] { $count } ответов
}, из них по шкале 1–10: { $one_to_ten }; они разбиты на группы по тем же границам).
nps-not-enough = мало ответов
nps-interval = от { $lo } до { $hi }
nps-change-significant = { $delta } (p = { $p }): изменение значимо
nps-change-noise = { $delta } (p = { $p }): может быть случайным
nps-no-group = (без группы)
nps-all = Все ответы
nps-trend = Динамика
nps-trend-empty = Ни в одном периоде пока недостаточно ответов для оценки, поэтому линии нет; в таблице — число ответов.
nps-chart-title = NPS по периодам с 95-процентным интервалом
nps-chart-desc = Линия — NPS каждого периода, где ответов достаточно; закрашенная полоса — его 95-процентный интервал. Разрывы — периоды, где ответов мало.
nps-chart-caption = Закрашено: 95-процентный интервал. Если полосы двух периодов сильно перекрываются, изменение может быть случайным; значимость указана в таблице.
nps-groups = Разбивка
nps-download-csv = Скачать CSV
nps-col-kind = Строка
nps-col-label = Название
nps-col-n = Респондентов
nps-col-promoters = Промоутеры
nps-col-passives = Нейтральные
nps-col-detractors = Критики
nps-col-nps = NPS
nps-col-interval = 95-процентный интервал
nps-col-lo = Интервал от
nps-col-hi = Интервал до
nps-col-change = Изменение к прошлому периоду
nps-col-vs-rest = По сравнению с остальными
nps-col-delta = Изменение, п.
nps-col-p = p-значение
nps-col-period = Период
nps-col-group = Группа
# Список задач обратной связи.
nav-followups = Обратная связь
page-followups = Звонки по ответам
task-count = { $n ->
    [one] { $count } открытая задача
    [few] { $count } открытые задачи
   *[many] { $count } открытых задач
}
tasks-empty = Открытых задач нет. Каждый ответ критика (и, мягче, нейтрального клиента) создаёт здесь задачу для менеджера клиента.
task-kind-detractor = критик
task-kind-passive = нейтральный
task-queue = (без менеджера)
task-overdue = просрочено
task-col-customer = Клиент
task-col-kind = Ответ
task-col-score = Оценка
task-col-comment = Комментарий
task-col-due = Ответить до
task-col-manager = Менеджер
task-col-outcome = Итог
task-outcome-label = Чем закончился звонок
task-answer = Записать
task-answered = Задача { $id } выполнена и убрана из списка.
task-outcome-empty = Напишите, чем закончился звонок, прежде чем записывать.
# CSAT рядом с NPS.
nps-csat = Удовлетворённость клиентов: в среднем { $mean } из 5 (95-процентный интервал от { $mean_lo } до { $mean_hi }); довольны (4–5) { $satisfied } (интервал от { $lo } до { $hi }), по { $n ->
    [one] { $count } ответившему
   *[other] { $count } ответившим
}.
nps-csat-not-enough = Удовлетворённость клиентов: { $n ->
    [one] { $count } ответивший
    [few] { $count } ответивших
   *[many] { $count } ответивших
}, мало для интервала.
nps-csat-none = Удовлетворённость клиентов: ответов за эти даты нет.
