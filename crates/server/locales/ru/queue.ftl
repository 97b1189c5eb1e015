# Страница очереди на день (issue 27).
nav-queue = Очередь
page-queue = Очередь на сегодня
queue-intro = Клиенты, с которыми нужно поработать, по ценности под угрозой: для каждого действие и предложение из сценария, причина и канал, который разрешает политика контактов. Отметьте, чем закончилось (запись попадёт в журнал контактов), или отложите.
queue-col-day = День
queue-col-manager = Менеджер
queue-manager-any = все
queue-show = Показать
queue-day = Очередь на { $date }
queue-as-of = по снимку на { $date }
queue-playbook-version = версия сценария { $version }
queue-playbook-defaults = сценарий по умолчанию
queue-summary = { $shown ->
    [one] Показан { $shown } клиент
    [few] Показаны { $shown } клиента
   *[other] Показано { $shown } клиентов
    } из { $candidates }; { $snoozed ->
    [0] отложенных нет
    [one] отложен { $snoozed }
    [few] отложены { $snoozed }
   *[other] отложено { $snoozed }
    }.
queue-empty = На сегодня дел нет: сценарий не предлагает действий клиентам этой очереди, или все они отложены либо недавно получили контакт.
queue-col-action = Действие
queue-col-offer = Предложение
queue-col-blocked = Почему нельзя отправить
queue-col-horizon = Горизонт, дней
queue-col-cost = Стоимость
queue-col-suggestions = Похожие клиенты ещё покупают
queue-col-outcome = Итог
queue-mark-done = Сделано
queue-snooze = Отложить
queue-snooze-until = До
queue-snoozed-until = Отложено до { $date }
queue-done-with = Сделано: { $outcome } ({ $channel })
queue-flash-done = Отмечено; итог записан в журнал контактов.
queue-flash-snoozed = Отложено: клиент вернётся в очередь в выбранный день.
queue-analyst-reads = Аналитик видит очередь; итоги записывают менеджеры и администраторы.
queue-newcomer-rule = правило для новичков: { $decision } ({ $figures })
queue-newcomer-develop = развивать
queue-newcomer-keep_minimal = поддерживать с минимальными затратами
queue-newcomer-let_go = отпустить
queue-newcomer-expected = ожидается покупок: { $n }
queue-newcomer-no-forecast = прогноза нет
queue-newcomer-order = чек { $ratio } от медианы новичков
queue-newcomer-profit = прибыль { $profit }
queue-clv = ценность клиента { $clv }
queue-blocked-no_consented_channel = Нет канала с действующим согласием: не отправлять.
queue-blocked-no_contact_details = Согласие есть, но нет адреса или номера для этого канала.
queue-blocked-past_deadline = Сегодня уже поздно: время для контактов прошло.
queue-blocked-weekly_cap_reached = Лимит контактов с клиентом на эту неделю исчерпан.
queue-blocked-monthly_cap_reached = Лимит контактов с клиентом на этот месяц исчерпан.
queue-blocked-unknown_customer = Клиента нет в базе.
queue-blocked-budget_spent = Бюджет на клиента в этом периоде израсходован.
queue-action-first_purchase_offer = Предложение на первую покупку
queue-action-second_purchase_offer = Предложение на вторую покупку
queue-action-thank_you_note = Благодарственное письмо
queue-action-first_buyer_win_back = Вернуть купившего один раз
queue-action-rhythm_reminder_call = Звонок-напоминание
queue-action-win_back_call = Звонок для возврата
queue-action-loyalty_bonus = Бонус за лояльность
queue-action-rhythm_reminder_email = Напоминание письмом
queue-action-rhythm_reminder = Напоминание
queue-action-win_back_message = Сообщение для возврата
queue-action-personal_call = Личный звонок
queue-action-win_back_visit = Визит для возврата
queue-action-vip_offer = Особое предложение
queue-offer-trial = Пробное предложение или недорогой товар для первого знакомства
queue-offer-win-back = Личный контакт: узнать, почему ушёл, и сделать предложение под причину
queue-offer-second-purchase = Предложение на вторую покупку: скидка на следующий заказ
queue-offer-thank-you = Благодарственное письмо с каталогом, без скидки
queue-offer-first-buyer = Спросить, что разочаровало в первом заказе; предложение на вторую покупку
queue-offer-rhythm-call = Звонок перед обычной следующей покупкой, с бонусом на неё
queue-offer-loyalty = Бонусные баллы или дополнительный сервис за лояльность
queue-offer-reminder-email = Напоминание по электронной почте, без скидки
queue-offer-rhythm-reminder = Напоминание перед обычной следующей покупкой, с бонусными баллами
queue-offer-loyalty-points = Бонусные баллы за лояльность
queue-offer-personal-call = Личный звонок менеджера: как дела, что нужно
queue-offer-vip = Особое предложение или личное обслуживание: ранний доступ, подарок, приглашение
queue-already-recorded = По этому клиенту итог за сегодня уже записан: обновите очередь, чтобы его увидеть.
