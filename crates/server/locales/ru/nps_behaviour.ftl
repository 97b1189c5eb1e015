# Раздел страницы NPS о том, что промоутеры, нейтралы и критики сделали потом.
nps-behaviour-title = Что они сделали потом
nps-behaviour-snapshot = Состояние взято из первого снимка после периода, на { $day }.
nps-behaviour-no-snapshot = После периода ещё нет снимка, проследить никого нельзя: пересчитайте данные, когда они пополнятся.
nps-behaviour-horizon = CLV считается на { $n ->
    [one] { $days } день
    [few] { $days } дня
   *[many] { $days } дней
}.
nps-behaviour-no-horizon = Снимок не даёт CLV.
nps-behaviour-currency = Суммы в { $code }.
nps-behaviour-no-currency = Валюта неизвестна; суммы в единицах данных.
nps-behaviour-window = Выручка после: заказы с { $from } по { $to }.
nps-behaviour-window-open = Данные кончаются { $day }, окно ещё не закрыто, и выручка в нём неполная.
nps-behaviour-promoter = Промоутеры
nps-behaviour-passive = Нейтралы
nps-behaviour-detractor = Критики
nps-behaviour-col-group = Группа
nps-behaviour-col-respondents = Ответивших
nps-behaviour-col-followed = В снимке
nps-behaviour-col-slipping-or-lost = Уходят или ушли
nps-behaviour-col-revenue = Средняя выручка к снимку
nps-behaviour-col-clv = Средний CLV
nps-behaviour-col-revenue-after = Средняя выручка после
nps-behaviour-share = { $share } (95-процентный интервал от { $lo } до { $hi })
nps-behaviour-mean = { $mean } (95-процентный интервал от { $lo } до { $hi })
nps-behaviour-difference-significant = Доля уходящих и ушедших у критиков минус у промоутеров: { $delta } (95-процентный интервал от { $lo } до { $hi }, p = { $p }): разница настоящая.
nps-behaviour-difference-noise = Доля уходящих и ушедших у критиков минус у промоутеров: { $delta } (95-процентный интервал от { $lo } до { $hi }, p = { $p }): это может быть шум.
nps-behaviour-no-difference = В снимке слишком мало промоутеров или критиков, чтобы сравнить, как часто они уходят.
