//! The phrases greetings are written from, in English and Russian. `{name}`, `{wish}`,
//! `{label}`, `{n}`, `{years}`, `{year}`, `{c}`, `{p}` and `{sig}` are filled in by
//! `greeting.rs`; Russian counts take their plural form there too.
//!
//! Russian phrases never agree with the customer's gender (it is not on file): no «дорогой» or
//! «дорогая», no past-tense verbs with the customer as subject.

/// Phrases of one language.
pub(crate) struct Words {
    pub openings_named: [&'static str; 5],
    pub openings_unnamed: [&'static str; 5],
    pub openings_company: [&'static str; 5],
    pub birthday: [&'static str; 3],
    pub name_day: [&'static str; 3],
    /// `{wish}`: the holiday's greeting words.
    pub holiday: [&'static str; 3],
    /// `{label}`: a holiday the catalogue does not know, by the label the company gave it.
    pub holiday_label: [&'static str; 3],
    pub founding_years: [&'static str; 3],
    pub founding: [&'static str; 3],
    /// `{n}` and `{years}` (the noun in its plural form).
    pub first_purchase: [&'static str; 3],
    pub custom: [&'static str; 3],
    /// `{c}`: one or two favourite categories, already quoted and joined.
    pub categories: [&'static str; 2],
    pub product: [&'static str; 2],
    /// `{year}`: the year of the first purchase.
    pub since: &'static str,
    /// `{n}` and `{years}`.
    pub tenure: &'static str,
    /// `{n}` and `{orders}` (the noun in its plural form).
    pub orders: [&'static str; 2],
    pub cue_new_arrivals: &'static str,
    pub cue_gifts: &'static str,
    pub cue_recommended: &'static str,
    pub wishes_person: [&'static str; 6],
    pub wishes_company: [&'static str; 6],
    /// `{sig}`; used without the signature when there is none.
    pub closings: [&'static str; 4],
    pub closings_unsigned: [&'static str; 4],
    /// `{ref}`: added only when every variant of the text is already given to someone else.
    pub reference: &'static str,
    /// Open and close quotes around a category or product.
    pub quotes: (&'static str, &'static str),
    /// Joins two categories.
    pub and: &'static str,
}

pub(crate) const EN: Words = Words {
    openings_named: [
        "Hello {name}!",
        "Dear {name},",
        "Hi {name}!",
        "Good day, {name}!",
        "Greetings, {name}!",
    ],
    openings_unnamed: ["Hello!", "Good day!", "Greetings!", "Hello there!", "Hi!"],
    openings_company: [
        "Dear friends at {name},",
        "Hello, team {name}!",
        "Greetings to everyone at {name}!",
        "Dear colleagues at {name},",
        "Hello, friends at {name}!",
    ],
    birthday: [
        "Happy birthday!",
        "Warmest wishes on your birthday!",
        "Many happy returns of the day!",
    ],
    name_day: [
        "Happy name day!",
        "Warm wishes on your name day!",
        "Congratulations on your name day!",
    ],
    holiday: [
        "{wish}!",
        "{wish} from all of us!",
        "Warmest wishes: {wish}!",
    ],
    holiday_label: [
        "Warm wishes for {label}!",
        "Happy {label}!",
        "Congratulations on {label}!",
    ],
    founding_years: [
        "Congratulations on {n} {years} since your company was founded!",
        "Happy anniversary: {n} {years} since your company began!",
        "Warmest wishes on your company's {n} {years}!",
    ],
    founding: [
        "Happy founding day to your company!",
        "Warmest wishes on your company's founding day!",
        "Congratulations on your company's founding day!",
    ],
    first_purchase: [
        "Exactly {n} {years} ago you made your first purchase with us, and we remember it!",
        "Today marks {n} {years} since your first purchase with us!",
        "It has been {n} {years} since your first purchase with us!",
    ],
    custom: [
        "Warm wishes: {label}!",
        "Congratulations: {label}!",
        "Our best wishes for {label}!",
    ],
    categories: [
        "We know how much you enjoy {c}.",
        "Thank you for choosing {c} with us.",
    ],
    product: [
        "We hope {p} still brings you joy.",
        "We hope you are still enjoying {p}.",
    ],
    since: "You have been with us since {year}: thank you for your trust!",
    tenure: "Thank you for staying with us for {n} {years}!",
    orders: [
        "Thank you for all {n} {orders}: each one matters to us.",
        "{n} {orders} later, we are still grateful for every one.",
    ],
    cue_new_arrivals: "As promised, you will be the first to hear about our new arrivals.",
    cue_gifts: "If you are looking for gifts for your loved ones, we will gladly help you choose.",
    cue_recommended: "Thank you for recommending us to your friends and colleagues!",
    wishes_person: [
        "Wishing you health, happiness and a wonderful mood!",
        "May this day be bright and joyful!",
        "May all your plans come true!",
        "Wishing you warmth, comfort and pleasant surprises!",
        "May every day bring you a reason to smile!",
        "Wishing you inspiration and good luck in everything!",
    ],
    wishes_company: [
        "Wishing your company prosperity and reliable partners!",
        "Here's to new wins, successful projects and steady growth!",
        "May many successful deals lie ahead!",
        "Wishing your team inspiration and every goal reached!",
        "Wishing you stability, growth and great results!",
        "May every project bring you joy and success!",
    ],
    closings: [
        "Best regards, {sig}",
        "With warm wishes, {sig}",
        "Always glad to see you, {sig}",
        "Kind regards, {sig}",
    ],
    closings_unsigned: [
        "Best regards!",
        "With warm wishes!",
        "Always glad to see you!",
        "Kind regards!",
    ],
    reference: "Your customer number: {ref}.",
    quotes: ("“", "”"),
    and: " and ",
};

pub(crate) const RU: Words = Words {
    openings_named: [
        "Здравствуйте, {name}!",
        "Добрый день, {name}!",
        "{name}, здравствуйте!",
        "{name}, добрый день!",
        "Приветствуем вас, {name}!",
    ],
    openings_unnamed: [
        "Здравствуйте!",
        "Добрый день!",
        "Приветствуем вас!",
        "Доброго дня!",
        "Рады приветствовать вас!",
    ],
    openings_company: [
        "Уважаемые коллеги из «{name}»!",
        "Добрый день, команда «{name}»!",
        "Здравствуйте, друзья из «{name}»!",
        "Коллеги из «{name}», добрый день!",
        "Приветствуем команду «{name}»!",
    ],
    birthday: [
        "Поздравляем вас с днём рождения!",
        "От всей души поздравляем вас с днём рождения!",
        "Сердечно поздравляем вас с днём рождения!",
    ],
    name_day: [
        "Поздравляем вас с именинами!",
        "От всей души поздравляем вас с днём ангела!",
        "Сердечно поздравляем вас с именинами!",
    ],
    holiday: [
        "Поздравляем вас {wish}!",
        "От всей души поздравляем вас {wish}!",
        "Сердечно поздравляем вас {wish}!",
    ],
    holiday_label: [
        "Поздравляем вас с праздником: {label}!",
        "От всей души поздравляем вас с праздником: {label}!",
        "Примите наши поздравления с праздником: {label}!",
    ],
    founding_years: [
        "Поздравляем вашу компанию: {n} {years} со дня основания!",
        "От всей души поздравляем: вашей компании {n} {years}!",
        "Сердечно поздравляем с юбилеем: {n} {years} вашей компании!",
    ],
    founding: [
        "Поздравляем вашу компанию с днём основания!",
        "От всей души поздравляем вас с днём основания компании!",
        "Сердечно поздравляем вашу компанию с днём рождения!",
    ],
    first_purchase: [
        "Ровно {n} {years} назад вы впервые сделали у нас покупку, и мы это помним!",
        "Сегодня исполняется {n} {years} с вашей первой покупки у нас!",
        "Вот уже {n} {years} мы вместе: с вашей первой покупки у нас!",
    ],
    custom: [
        "Поздравляем вас: {label}!",
        "Примите наши поздравления: {label}!",
        "От всей души поздравляем: {label}!",
    ],
    categories: [
        "Мы помним, как вы любите {c}.",
        "Спасибо, что выбираете у нас {c}.",
    ],
    product: [
        "Надеемся, {p} по-прежнему вас радует.",
        "Надеемся, покупка {p} до сих пор вам в радость.",
    ],
    since: "Вы с нами с {year} года: спасибо за доверие!",
    tenure: "Спасибо, что вы с нами уже {n} {years}!",
    orders: [
        "Спасибо за {n} {orders}: каждый из них для нас важен.",
        "За {n} {orders} мы благодарны вам за каждый.",
    ],
    cue_new_arrivals: "Как и обещали, первыми расскажем вам о новинках.",
    cue_gifts: "Если ищете подарки близким, мы с радостью поможем подобрать.",
    cue_recommended: "Спасибо, что рекомендуете нас друзьям и коллегам!",
    wishes_person: [
        "Желаем счастья, здоровья и прекрасного настроения!",
        "Пусть этот день будет ярким и радостным!",
        "Пусть всё задуманное сбывается!",
        "Желаем тепла, уюта и приятных сюрпризов!",
        "Пусть каждый день приносит повод для улыбки!",
        "Желаем вдохновения и удачи во всём!",
    ],
    wishes_company: [
        "Желаем вашей компании процветания и надёжных партнёров!",
        "Новых побед, успешных проектов и уверенного роста!",
        "Пусть впереди будет много удачных сделок!",
        "Желаем команде вдохновения и достижения всех целей!",
        "Стабильности, роста и ярких результатов!",
        "Пусть каждый проект приносит радость и успех!",
    ],
    closings: [
        "С уважением, {sig}",
        "С наилучшими пожеланиями, {sig}",
        "Всегда рады вам, {sig}",
        "С теплом, {sig}",
    ],
    closings_unsigned: [
        "С уважением!",
        "С наилучшими пожеланиями!",
        "Всегда рады вам!",
        "С теплом!",
    ],
    reference: "Ваш номер клиента: {ref}.",
    quotes: ("«", "»"),
    and: " и ",
};

/// Lower-case fragments of managers' notes that a greeting may answer, and never words of a
/// complaint: a cue only adds a kind sentence.
pub(crate) const CUE_NEW_ARRIVALS: [&str; 6] = [
    "новинк",
    "поступлени",
    "new arrival",
    "new product",
    "novelt",
    "новые товары",
];
pub(crate) const CUE_GIFTS: [&str; 3] = ["подар", "gift", "present for"];
pub(crate) const CUE_RECOMMENDED: [&str; 6] = [
    "рекомендовал",
    "рекомендует",
    "посоветовал",
    "recommended us",
    "referred",
    "recommends us",
];
