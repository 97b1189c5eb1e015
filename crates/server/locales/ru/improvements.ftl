# Журнал улучшений (планируй — делай — проверяй — действуй).
nav-improvements = Улучшения
page-improvements = Журнал улучшений
improvements-intro = Запланируйте меру против причины недовольства, выполните её, сравните NPS, удовлетворённость (оценки 1–5) и долю жалоб выбранной группы после начала с таким же сроком до него и примите решение по итогам проверки.
improvements-managers = Журнал улучшений ведут администраторы и аналитики.
improvements-log = Меры
improvements-empty = Мер пока нет. Добавьте первую ниже: что меняете, кто отвечает, на какую группу рассчитано и когда проверить.
improvements-new = Новая мера
improvements-col-title = Мера
improvements-col-owner = Ответственный
improvements-col-target = Группа
improvements-col-start = Начало
improvements-col-check = Проверка
improvements-col-stage = Этап
improvements-field-kind = Группа
improvements-field-target = Точка контакта или категория
improvements-field-rung = Ступень (если группа — ступень)
improvements-field-hypothesis = Гипотеза
improvements-field-decision = Решение
improvements-field-note = Почему
improvements-kind-all = все клиенты
improvements-kind-touchpoint = точка контакта
improvements-kind-category = категория жалоб
improvements-kind-rung = ступень
improvements-target-all = все клиенты
improvements-target-touchpoint = точка контакта «{ $name }»
improvements-target-category = жалобы «{ $name }»
improvements-target-rung = ступень «{ $name }»
improvements-stage-plan = план: ещё не начата
improvements-stage-do = выполнение: идёт
improvements-stage-check = проверка: пора
improvements-stage-act = решение принято
improvements-decision-adopt = принята
improvements-decision-adjust = доработать
improvements-decision-abandon = отменена
improvements-add = Добавить
improvements-done-added = Мера { $id } добавлена.
improvements-done-decided = Решение записано.
improvements-bad-target = Выберите группу: для точки контакта или категории нужно название.
improvements-bad-start = Начало — не дата.
improvements-bad-check = Дата проверки должна быть датой позже начала.
improvements-bad-title = Назовите меру (не длиннее 200 символов).
improvements-bad-owner = Укажите ответственного (не длиннее 200 символов).
improvements-bad-hypothesis = Напишите гипотезу (не длиннее 5000 символов).
improvements-bad-decision = Выберите: принять, доработать или отменить.
improvements-bad-note = Пояснение длиннее 5000 символов.
improvements-back = Все меры
improvements-check = Проверка
improvements-act = Решение
improvements-decide = Записать решение
improvements-decided = Решение: { $decision } ({ $by }).
improvements-windows = До: с { $before_from } по { $before_to }; после: с { $after_from } по { $after_to }. Для оценки нужно не меньше { $min } ответов в каждом окне.
improvements-col-measure = Показатель
improvements-col-before = До
improvements-col-after = После
improvements-col-change = После − до, п.
improvements-measure-nps = NPS
improvements-measure-csat = Удовлетворённость: доля довольных (4–5)
improvements-measure-complaints = Доля жалоб
improvements-not-enough = мало ответов ({ $n ->
    [one] { $count } респондент
    [few] { $count } респондента
   *[many] { $count } респондентов
})
improvements-csat-n = ответили: { $count }
improvements-rate = { $share } ({ $complained } из { $served })
improvements-no-customers = нет обслуженных клиентов
improvements-no-change = слишком мало ответов или клиентов для сравнения
improvements-change-significant = { $delta } (95-процентный интервал от { $lo } до { $hi }, p = { $p }): значимо
improvements-change-noise = { $delta } (95-процентный интервал от { $lo } до { $hi }, p = { $p }): это может быть шум
