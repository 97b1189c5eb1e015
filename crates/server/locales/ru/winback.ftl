# Возврат клиентов (задача 27).
nav-winback = Возврат
page-winback = Возврат клиентов
winback-intro = Клиенты, которых мы возвращаем: почему ушли, что предложили, каждая попытка и кто вернулся. Дело закрывается как «вернулся», когда клиент покупает в отведённый срок.
winback-as-of = По заказам на { $date }
winback-results = Что получилось
winback-no-cases-yet = Дел пока нет: откройте первое кнопкой в списке ушедших клиентов.
winback-funnel-title = Воронка возврата
winback-funnel-desc = { $cases ->
    [one] { $cases } дело
    [few] { $cases } дела
   *[many] { $cases } дел
    }, вернулись { $returned }.
winback-funnel-x = Этап
winback-funnel-y = Дела
winback-funnel-series = Дела
winback-stage-lost = Взяты в работу
winback-stage-contacted = Связались
winback-stage-answered = Ответили
winback-stage-returned = Вернулись
winback-stage-still-buying = Покупают через 90 дней
winback-rate-none = Доля возврата: ушедших частных клиентов пока нет.
winback-rate-met = Частные клиенты: { $returned ->
    [one] вернулся { $returned }
    [few] вернулись { $returned }
   *[many] вернулись { $returned }
    } из { $lost } ушедших ({ $rate }, 95% интервал от { $low } до { $high }); ориентир метода — не меньше 1% — достигнут.
winback-rate-not-met = Частные клиенты: { $returned ->
    [one] вернулся { $returned }
    [few] вернулись { $returned }
   *[many] вернулись { $returned }
    } из { $lost } ушедших ({ $rate }, 95% интервал от { $low } до { $high }); ниже ориентира метода в 1%.
winback-companies = Компании: { $returned ->
    [one] вернулась { $returned }
    [few] вернулись { $returned }
   *[many] вернулись { $returned }
    } из { $lost } ушедших — на счету каждая.
winback-regained = Возвращено от { $n ->
    [one] { $n } вернувшегося клиента
   *[other] { $n } вернувшихся клиентов
    } за { $days } дн. после возврата: выручка { $revenue }, прибыль { $profit }.
winback-by-reason = По причине ухода
winback-by-offer = По предложению
winback-by-channel = По каналу
winback-by-manager = По менеджеру
winback-col-group = Группа
winback-col-rate = Доля вернувшихся
winback-cases = Дела
winback-col-state = Состояние
winback-col-manager = Менеджер
winback-col-opened = Открыто
winback-col-reason = Причина
winback-col-offer = Предложение
winback-col-attempts = Попытки
winback-col-last-outcome = Последний итог
winback-col-record = Записать попытку
winback-col-outcome = Итог
winback-col-note = Заметка
winback-record = Записать
winback-filter = Показать
winback-empty = Здесь дел нет. Откройте дело из списка ушедших клиентов.
winback-state-any = Все
winback-state-open = Открыто
winback-state-returned = Вернулся
winback-state-not_returned = Не вернулся
winback-returned-on = Вернулся { $date }
winback-reason-keep = (без изменений)
winback-reason-price = Цена
winback-reason-quality = Качество
winback-reason-service = Сервис
winback-reason-competitor = Ушёл к конкуренту
winback-reason-moved = Переехал
winback-reason-no_longer_needed = Больше не нужно
winback-reason-other = Другое
winback-outcome-no_answer = Не ответил
winback-outcome-answered = Ответил
winback-outcome-promised = Обещал вернуться
winback-outcome-declined = Отказался
winback-outcome-wrong_contact = Неверный контакт
winback-flash-opened = Дело о возврате открыто.
winback-flash-already-open = У этого клиента уже есть открытое дело о возврате.
winback-flash-attempt = Попытка записана; она в журнале контактов.
winback-export-case = Дело
winback-export-source = Открыто из
winback-export-returned = Вернулся
winback-export-reason-text = Причина словами
winback-export-window = Окно, дней
winback-source-lost_list = Список ушедших
winback-source-slipping_list = Список затихающих
winback-source-queue = Очередь на день
winback-source-manual = Вручную
