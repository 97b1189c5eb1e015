# Публичная страница ответа на приглашение к опросу (без входа).
survey-link-title = Ваше мнение
survey-link-language = Язык
survey-link-nps = Насколько вероятно, что вы порекомендуете нас другу или коллеге?
survey-link-nps-low = Совсем маловероятно
survey-link-nps-high = Очень вероятно
survey-link-csat = Насколько вы довольны нами?
survey-link-csat-low = Совсем недоволен
survey-link-csat-high = Очень доволен
survey-link-comment = Хотите что-нибудь добавить? (необязательно)
survey-link-submit = Отправить ответ
survey-link-stored = Спасибо! Ваш ответ записан.
survey-link-changed = Спасибо! Ваш ответ изменён.
survey-link-previous = Ваш ответ: { $score }, дан { $when } (UTC). Его можно изменить до { $until } (UTC): новая отправка заменит его.
survey-link-unknown = Такая ссылка нам неизвестна. Проверьте, что она скопирована из приглашения целиком.
survey-link-expired = Эта ссылка принимала ответы до { $when } (UTC) и больше не принимает. Спасибо за интерес.
survey-link-closed = Этот опрос закрыт и больше не принимает ответы. Спасибо за интерес.
survey-link-bad-score = Выберите оценку от { $min } до { $max }.
survey-link-long-comment = Комментарий слишком длинный: не больше { $max } символов.
survey-link-control-comment = В комментарии есть символы, которые нельзя сохранить; уберите их и отправьте снова.
survey-link-cross-site = Эту форму можно отправить только с её собственной страницы. Откройте ссылку из приглашения и отправьте ещё раз.
survey-link-throttled = Слишком много попыток отсюда. Подождите { $seconds ->
    [one] { $seconds } секунду
    [few] { $seconds } секунды
   *[many] { $seconds } секунд
} и попробуйте снова.
survey-link-failed = Не удалось записать ответ. Попробуйте ещё раз через минуту.
