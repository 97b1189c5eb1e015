# Страница товарного портфеля (задача 28).
nav-portfolio = Портфель
page-portfolio = Товарный портфель
portfolio-as-of = Дата отчёта
portfolio-apply = Показать
portfolio-headline = { $n ->
    [one] { $count } товар с продажами по { $month } (дата отчёта { $date })
    [few] { $count } товара с продажами по { $month } (дата отчёта { $date })
   *[many] { $count } товаров с продажами по { $month } (дата отчёта { $date })
}
portfolio-empty = Ни одна строка заказов пока не называет товар. Загрузите выгрузки заказов с колонкой товара (артикула) и категории и вернитесь: стадия жизненного цикла каждого товара определяется по его продажам за месяц.
portfolio-rule-note = Правило стадии — по скользящему среднему выручки за 3 месяца: моложе 6 месяцев — внедрение; не выше 70 % пика и минус 10 % и более за 6 месяцев — спад; плюс 20 % и более за 6 месяцев — рост; иначе — зрелость. Выручка — в валюте данных.
portfolio-no-advocates = Адвокаты неизвестны (ещё нет расчёта клиентской базы), поэтому ни один товар не может быть кандидатом на вывод из ассортимента. Сначала выполните расчёт.
portfolio-without-sales = { $n ->
    [one] { $n } товар из файла товаров ничего не продал: { $list }
    [few] { $n } товара из файла товаров ничего не продали: { $list }
   *[many] { $n } товаров из файла товаров ничего не продали: { $list }
}
portfolio-managers = Товарный портфель показывает цифры всей компании: он доступен администраторам и аналитикам.
portfolio-map = Карта портфеля
portfolio-map-none = На этой стадии нет товаров.
portfolio-map-more = { $n ->
    [one] и ещё { $count } (см. таблицу)
    [few] и ещё { $count } (см. таблицу)
   *[many] и ещё { $count } (см. таблицу)
}
portfolio-products = Товары
portfolio-download-csv = Скачать товары (CSV)
portfolio-bundles = Что покупают вместе
portfolio-bundles-note = { $n ->
    [one] По { $baskets } корзине (заказ или день покупок клиента); паре нужно не меньше { $min } корзин.
    [few] По { $baskets } корзинам (заказ или день покупок клиента); паре нужно не меньше { $min } корзин.
   *[many] По { $baskets } корзинам (заказ или день покупок клиента); паре нужно не меньше { $min } корзин.
}
portfolio-bundles-empty = Ни одна пара товаров не набирает минимальной поддержки: слишком мало корзин, где два товара лежат вместе.
portfolio-stage-introduction = Внедрение
portfolio-stage-growth = Рост
portfolio-stage-maturity = Зрелость
portfolio-stage-decline = Спад
portfolio-tag-bestseller = бестселлер
portfolio-tag-longseller = лонгселлер
portfolio-tag-blockbuster = блокбастер
portfolio-tag-line-cut = кандидат на вывод
portfolio-tag-product-of-month = товар месяца
portfolio-rule-too-young = { $age ->
    [one] продаётся { $age } месяц: рано судить
    [few] продаётся { $age } месяца: рано судить
   *[many] продаётся { $age } месяцев: рано судить
}
portfolio-rule-no-sales = ещё ни одного месяца с продажами
portfolio-rule-below-peak-and-falling = { $now } в месяц сейчас против { $before } полгода назад ({ $change }); { $share } от пика { $peak }
portfolio-rule-rising = { $now } в месяц сейчас против { $before } полгода назад ({ $change })
portfolio-rule-steady = стабильно: { $now } в месяц сейчас против { $before } полгода назад ({ $change }); { $share } от пика
portfolio-col-product = Товар
portfolio-col-name = Наименование
portfolio-col-category = Категория
portfolio-col-stage = Стадия
portfolio-col-reason = Почему
portfolio-col-revenue = Выручка за всё время
portfolio-col-revenue-12m = Выручка за 12 месяцев
portfolio-col-margin = Маржа
portfolio-col-margin-rate = Маржинальность
portfolio-col-customers = Покупатели
portfolio-col-advocates = Доля адвокатов среди покупателей
portfolio-col-tags = Метки
portfolio-col-a = Купили
portfolio-col-b = Также купили
portfolio-col-baskets = Корзин
portfolio-col-support = Поддержка
portfolio-col-confidence = Достоверность
portfolio-col-lift = Лифт
portfolio-rungs = Кто из ступеней что покупает
portfolio-rungs-note = Доля клиентов каждой ступени, купивших категорию (ступени по срезу на { $date }; наведите на ячейку, чтобы увидеть числа).
portfolio-rungs-unscored = Срезов ещё нет: запустите расчёт ступеней, чтобы увидеть, кто что покупает, и получить подсказки.
portfolio-rungs-no-categories = Ни в одной строке заказов ещё нет категории: загрузите выгрузки заказов со столбцом категории.
portfolio-rungs-cell = { $n ->
    [one] { $buyers } покупатель из { $customers } клиентов
    [few] { $buyers } покупателя из { $customers } клиентов
   *[many] { $buyers } покупателей из { $customers } клиентов
}
portfolio-suggest = Что ещё предложить клиенту из других категорий
portfolio-suggest-customer = Номер клиента
portfolio-suggest-bad-id = «{ $id }» — не номер клиента (целое положительное число, как в адресе карточки).
portfolio-suggest-not-found = Клиента с номером { $id } нет.
portfolio-suggest-unscored = Клиента { $id } нет в последнем срезе (ступень ещё не рассчитана): подсказок нет.
portfolio-suggest-none = Клиент { $id } ({ $rung }): предложить нечего — клиенты этой ступени, покупающие то же, не берут другую категорию достаточно часто.
portfolio-suggest-summary = Клиент { $id } ({ $rung }) покупал: { $bought }. Клиенты той же ступени, покупающие то же, берут ещё:
portfolio-suggest-why = { $n ->
    [one] { $share } из { $peers } клиента ступени, купившего { $basis } (лифт { $lift })
    [few] { $share } из { $peers } клиентов ступени, купивших { $basis } (лифт { $lift })
   *[many] { $share } из { $peers } клиентов ступени, купивших { $basis } (лифт { $lift })
}
