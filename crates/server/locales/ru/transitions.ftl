# Страница матрицы переходов (issue 24, пункт 5): кто перешёл со ступени на ступень между двумя снимками.
nav-transitions = Переходы
page-transitions = Переходы между ступенями
transitions-period = С { $from } по { $to }
transitions-explain = Строки — где клиенты были на более раннюю дату (или новые с тех пор); столбцы — где они на более позднюю дату (или выбыли). Каждое число открывает список этих клиентов.
transitions-corner = было ↓ / стало →
transitions-empty = Для переходов нужны два снимка: пересчитайте базу на две даты («clientele score --as-of ДАТА») и вернитесь сюда.
transitions-bad-date = это не дата в виде ГГГГ-ММ-ДД
transitions-to-after-from = поздняя дата должна быть после ранней
transitions-no-cell = укажите ступень хотя бы с одной стороны
transitions-drill-title = { $from } → { $to }
transitions-drill-count = { $count } { $n ->
    [one] клиент
    [few] клиента
   *[many] клиентов
}
transitions-drill-first = первые { $shown } из { $total } по выручке за период
transitions-drill-empty = Никто из ваших клиентов так не перешёл.
transitions-col-customer = Клиент
transitions-col-before = Статус был
transitions-col-after = Статус стал
transitions-col-revenue = Выручка за период
