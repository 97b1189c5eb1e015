//! Name lists for the customers file: Russian names in Cyrillic (with a Latin transliteration for
//! e-mail addresses), English names, and the account managers.

/// (Cyrillic, transliteration) first names of men.
pub(crate) const RU_MALE: [(&str, &str); 16] = [
    ("Александр", "alexander"),
    ("Дмитрий", "dmitry"),
    ("Максим", "maxim"),
    ("Сергей", "sergey"),
    ("Андрей", "andrey"),
    ("Алексей", "alexey"),
    ("Артём", "artem"),
    ("Илья", "ilya"),
    ("Кирилл", "kirill"),
    ("Михаил", "mikhail"),
    ("Никита", "nikita"),
    ("Иван", "ivan"),
    ("Егор", "egor"),
    ("Роман", "roman"),
    ("Владимир", "vladimir"),
    ("Павел", "pavel"),
];

/// (Cyrillic, transliteration) first names of women.
pub(crate) const RU_FEMALE: [(&str, &str); 16] = [
    ("Анастасия", "anastasia"),
    ("Мария", "maria"),
    ("Анна", "anna"),
    ("Виктория", "victoria"),
    ("Екатерина", "ekaterina"),
    ("Наталья", "natalia"),
    ("Марина", "marina"),
    ("Полина", "polina"),
    ("Дарья", "daria"),
    ("Елена", "elena"),
    ("Ольга", "olga"),
    ("Юлия", "yulia"),
    ("Татьяна", "tatiana"),
    ("Ирина", "irina"),
    ("Ксения", "ksenia"),
    ("Софья", "sofia"),
];

/// Surnames in their masculine form; all end in -ов/-ев/-ин, whose feminine form adds -а.
pub(crate) const RU_SURNAMES: [(&str, &str); 16] = [
    ("Иванов", "ivanov"),
    ("Смирнов", "smirnov"),
    ("Кузнецов", "kuznetsov"),
    ("Попов", "popov"),
    ("Васильев", "vasiliev"),
    ("Петров", "petrov"),
    ("Соколов", "sokolov"),
    ("Михайлов", "mikhailov"),
    ("Новиков", "novikov"),
    ("Фёдоров", "fedorov"),
    ("Морозов", "morozov"),
    ("Волков", "volkov"),
    ("Алексеев", "alekseev"),
    ("Лебедев", "lebedev"),
    ("Семёнов", "semenov"),
    ("Ильин", "ilyin"),
];

pub(crate) const EN_FIRST: [&str; 16] = [
    "James", "Olivia", "John", "Emma", "Michael", "Sophia", "David", "Emily", "Daniel", "Grace",
    "Thomas", "Alice", "George", "Hannah", "Peter", "Laura",
];

pub(crate) const EN_SURNAMES: [&str; 12] = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Green", "Hall",
    "Clarke", "Baker",
];

/// The account managers customers are assigned to.
pub(crate) const MANAGERS: [&str; 10] = [
    "Ольга Смирнова",
    "Игорь Волков",
    "Светлана Кузнецова",
    "Дмитрий Орлов",
    "Елена Васильева",
    "Антон Белов",
    "Наталья Зайцева",
    "Павел Соколов",
    "Юлия Морозова",
    "Георгий Никитин",
];

/// Domains reserved for examples (RFC 2606), so no generated address can reach a real person.
pub(crate) const EMAIL_DOMAINS: [&str; 3] = ["example.com", "example.org", "example.net"];
