//! Realistic demo data for the seeded demo store: foreign workers (passport Latin names, native
//! script, passport numbers, birth dates), Guangzhou employers with valid unified social credit
//! codes, job titles and health-check institutions. Every generator is a pure function of the
//! `fastrand::Rng` state, so a seeded store is reproducible.

use data::*;
use fastrand::Rng;
use std::collections::HashSet;

/// A foreign worker as on the passport data page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Passport Latin spelling, uppercase "SURNAME GIVEN NAMES" (A-Z, space, hyphen).
    pub name: String,
    /// The name in the holder's own script, or with its diacritics, where natural.
    pub name_native: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub nationality: &'static str,
    pub passport_no: String,
    /// (year, month, day)
    pub birth_date: (i32, u32, u32),
    /// 'M' or 'F'
    pub sex: char,
}

/// A Guangzhou employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    pub name: String,
    /// Registered Chinese name.
    pub name_zh: String,
    /// 18-character unified social credit code (GB 32100-2015) with a correct check character.
    pub uscc: String,
    pub district: &'static str,
}

/// (passport Latin, native spelling if any)
type Name = (String, Option<String>);

fn at<T: Copy + Default>(xs: &[T], i: usize) -> T {
    xs.get(i).copied().unwrap_or_default()
}

fn pick<T: Copy + Default>(rng: &mut Rng, xs: &[T]) -> T {
    at(xs, rng.usize(..xs.len().max(1)))
}

/// Two entries at different indices.
fn pick_two<T: Copy + Default>(rng: &mut Rng, xs: &[T]) -> (T, T) {
    let n = xs.len().max(2);
    let i = rng.usize(..n);
    (at(xs, i), at(xs, (i + 1 + rng.usize(..n - 1)) % n))
}

/// Like `pick`, but the first `head` entries (the very common names) get `pct` % of the draws.
fn pick_common<T: Copy + Default>(rng: &mut Rng, xs: &[T], head: usize, pct: u32) -> T {
    let common = rng.u32(..100) < pct;
    pick(rng, xs.get(..head).filter(|_| common).unwrap_or(xs))
}

fn pick_weighted<T: Copy + Default>(rng: &mut Rng, xs: &[T], w: impl Fn(&T) -> u32) -> T {
    let mut r = rng.u32(..xs.iter().map(&w).sum::<u32>().max(1));
    for x in xs {
        if r < w(x) {
            return *x;
        }
        r -= w(x);
    }
    T::default()
}

fn pick_char(rng: &mut Rng, set: &str) -> char {
    char::from(pick(rng, set.as_bytes()))
}

fn sel<T>(cond: bool, a: T, b: T) -> T {
    if cond { a } else { b }
}

/// One given name, or two distinct ones `pct` % of the time.
fn given(rng: &mut Rng, pool: Pool, pct: u32) -> String {
    let (a, b) = pick_two(rng, pool);
    sel(rng.u32(..100) < pct, format!("{a} {b}"), a.to_string())
}

/// ICAO Doc 9303 Latin: uppercase, diacritics dropped, ß → SS, apostrophes gone; with `expand`
/// (German, Swedish passports) Ä/Ö/Ü/Å become AE/OE/UE/AA.
fn latinize(native: &str, expand: bool) -> String {
    let mut out = String::new();
    for c in native.to_uppercase().chars() {
        if c.is_ascii_uppercase() || c == ' ' || c == '-' {
            out.push(c);
        } else if let Some(f) = FOLD.iter().find(|f| f.0.contains(c)) {
            out.push_str(sel(expand, f.1, f.2));
        }
    }
    out
}

/// Cyrillic to Latin: ICAO Doc 9303 (Russian passports since 2014) or, with `ukr`, the
/// Ukrainian national system printed in Ukrainian passports. Ь and apostrophes are dropped.
fn cyr_latin(s: &str, ukr: bool) -> String {
    let (mut out, mut initial) = (String::new(), true);
    for c in s.to_uppercase().chars() {
        let ua = CYR_UKR
            .iter()
            .find(|u| ukr && u.0 == c)
            .map(|u| sel(initial, u.1, u.2));
        out.push_str(
            ua.or_else(|| CYR.iter().find(|t| t.0 == c).map(|t| t.1))
                .unwrap_or(""),
        );
        initial = c == ' ' || c == '-';
    }
    out
}

/// Female form of a surname (Смирнов → Смирнова, Kowalski → Kowalska); others unchanged.
fn feminize(s: &str, male: bool, ends: Fem) -> String {
    let fem = ends
        .iter()
        .filter(|_| !male)
        .find_map(|(m, f)| Some(format!("{}{f}", s.strip_suffix(m)?)));
    fem.unwrap_or_else(|| s.to_string())
}

/// Patronymic from the father's given name, Russian style or (with `ukr`) Ukrainian.
fn patronymic(father: &str, male: bool, ukr: bool) -> String {
    if ukr {
        let base = father.strip_suffix('о').unwrap_or(father);
        return match (male, base.strip_suffix('й')) {
            (true, _) => format!("{base}ович"),
            (false, Some(stem)) => format!("{stem}ївна"),
            (false, None) => format!("{}івна", base.strip_suffix('ь').unwrap_or(base)),
        };
    }
    let soft = father
        .strip_suffix('й')
        .or_else(|| father.strip_suffix('ь'));
    let stem = soft.map_or_else(|| format!("{father}ов"), |s| format!("{s}ев"));
    stem + sel(male, "ич", "на")
}

/// Latin-script name from its native spelling; the native form is kept only if it has diacritics.
fn from_native(native: String, expand: bool) -> Name {
    (
        latinize(&native, expand),
        (!native.is_ascii()).then_some(native),
    )
}

fn name_for(rng: &mut Rng, nat: &str, male: bool) -> Name {
    let has = |list: &str| list.split(' ').any(|c| c == nat);
    if let Some(&(_, sur, m, f, given2, expand, fem, sur2)) = WESTERN.iter().find(|w| has(w.0)) {
        let zaf = nat == "ZAF" && rng.bool();
        let (a, b) = pick_two(rng, sel(zaf, ZA_SUR, sur));
        let two = rng.u32(..100) < sur2;
        let s = sel(two, format!("{a} {b}"), feminize(a, male, fem));
        let g = given(rng, sel(male, m, f), given2);
        return from_native(format!("{s} {g}"), expand);
    }
    if let Some(&(_, sur, m, f, sep, given_first, common)) = PAIRED.iter().find(|p| has(p.0)) {
        let (sl, sn) = pick_common(rng, sur, 3, common);
        let (gl, gn) = pick(rng, sel(male, m, f));
        let native = sel(
            given_first,
            format!("{gn}{sep}{sn}"),
            format!("{sn}{sep}{gn}"),
        );
        return (format!("{sl} {gl}"), Some(native));
    }
    if let Some(&(_, sur, m, f)) = CYRILLIC.iter().find(|c| has(c.0)) {
        let ukr = nat == "UKR";
        let s = feminize(pick(rng, sur), male, CYR_FEM);
        let ((son, father), daughter) = (pick_two(rng, m), pick(rng, f));
        let g = sel(male, son, daughter);
        let latin = format!("{} {}", cyr_latin(&s, ukr), cyr_latin(g, ukr));
        return (
            latin,
            Some(format!("{s} {g} {}", patronymic(father, male, ukr))),
        );
    }
    if let Some(&(_, fams)) = ARABIC.iter().find(|a| has(a.0)) {
        let (fl, fam) = pick(rng, fams);
        let (gl, gn) = pick_common(rng, sel(male, AR_M, AR_F), 2, 20);
        let (pl, pn) = pick(rng, AR_M);
        if rng.bool() && pl != gl {
            return (format!("{fl} {gl} {pl}"), Some(format!("{gn} {pn} {fam}")));
        }
        return (format!("{fl} {gl}"), Some(format!("{gn} {fam}")));
    }
    match nat {
        "VNM" => {
            let s = pick_common(rng, VN_SUR, 1, 30);
            let mid = pick(rng, sel(male, VN_MID_M, VN_MID_F));
            let g = pick(rng, sel(male, VN_M, VN_F));
            from_native(format!("{s} {mid} {g}"), false)
        }
        _ => {
            // Singapore / Malaysia: Chinese heritage (with characters), Malay or Indian.
            let (chinese, malay) = sel(nat == "SGP", (70, 85), (55, 90));
            let r = rng.u32(..100);
            if r < chinese {
                return name_for(rng, "SEA-CHINESE", male);
            }
            let name = if r < malay {
                let (g, father) = (pick(rng, sel(male, MY_M, MY_F)), pick(rng, MY_M));
                format!("{g} {} {father}", sel(male, "BIN", "BINTI"))
            } else {
                format!("{} {}", pick(rng, IN_SUR), pick(rng, sel(male, IN_M, IN_F)))
            };
            (name.to_uppercase(), None)
        }
    }
}

fn passport_no(rng: &mut Rng, patterns: Pool) -> String {
    let mut out = String::new();
    for c in pick(rng, patterns).chars() {
        out.push(match c {
            'a' => pick_char(rng, LETTERS),
            'n' => pick_char(rng, DIGITS),
            'g' => pick_char(rng, DE_CHARS),
            'x' => pick_char(rng, ALNUM),
            c => c,
        });
    }
    out
}

/// A random foreign worker; the nationality mix is weighted like Guangzhou's permit holders.
pub fn person(rng: &mut Rng) -> Person {
    let (nationality, _, patterns) = pick_weighted(rng, NATIONS, |n| n.1);
    let male = rng.u32(..100) < 64;
    let (name, name_native) = name_for(rng, nationality, male);
    let passport_no = passport_no(rng, patterns);
    let year = 1960 + rng.i32(0..=20) + rng.i32(0..=20); // 1960..=2000, most around 1980
    let month = rng.u32(1..=12);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 => 28 + u32::from(leap),
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let birth_date = (year, month, rng.u32(1..=days));
    let sex = sel(male, 'M', 'F');
    Person {
        name,
        name_native,
        nationality,
        passport_no,
        birth_date,
        sex,
    }
}

/// GB 32100-2015 check character for the first 17 characters of a unified social credit code.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    crate::domain::ids::uscc_check_char(first17).ok()
}

/// 9-character organisation code: post-2015 "MA…" style, or a legacy GB 11714 code (8 digits
/// and its mod-11 check character).
fn org_code(rng: &mut Rng) -> String {
    if rng.u32(..100) < 65 {
        let series = pick_char(rng, "59BCD");
        let tail: String = (0..6).map(|_| pick_char(rng, USCC_ALPHABET)).collect();
        return format!("MA{series}{tail}");
    }
    let digits: String = (0..8).map(|_| pick_char(rng, DIGITS)).collect();
    let weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .bytes()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = char::from_digit((11 - sum % 11) % 11, 10).unwrap_or('X');
    format!("{digits}{check}")
}

fn employer(rng: &mut Rng) -> Employer {
    let (district, district_zh, code, _) = pick_weighted(rng, DISTRICTS, |d| d.3);
    let (be, bz) = pick(rng, BRANDS);
    let (ie, iz) = pick(rng, INDUSTRIES);
    let (se, sz, _) = pick_weighted(rng, SUFFIXES, |s| s.2);
    let city = sel(rng.bool(), "广州", "广州市");
    let (name, name_zh) = match rng.u32(..100) {
        0..65 => (
            format!("Guangzhou {be} {ie} {se}"),
            format!("{city}{bz}{iz}{sz}"),
        ),
        65..85 => (
            format!("{be} (Guangzhou) {ie} {se}"),
            format!("{bz}（广州）{iz}{sz}"),
        ),
        _ => (
            format!("Guangzhou {district} {be} {ie} {se}"),
            format!("广州市{district_zh}区{bz}{iz}{sz}"),
        ),
    };
    let first17 = format!("91{code}{}", org_code(rng));
    let uscc = format!("{first17}{}", uscc_check_char(&first17).unwrap_or('0'));
    Employer {
        name,
        name_zh,
        uscc,
        district,
    }
}

/// Up to `n` employers with distinct English names, Chinese names and USCCs.
pub fn employers(rng: &mut Rng, n: usize) -> Vec<Employer> {
    let mut out = Vec::with_capacity(n.min(4096));
    let mut seen = HashSet::new();
    let mut attempts = n.saturating_mul(50).saturating_add(1000);
    while out.len() < n && attempts > 0 {
        attempts -= 1;
        let e = employer(rng);
        if [&e.name, &e.name_zh, &e.uscc]
            .iter()
            .any(|k| seen.contains(*k))
        {
            continue;
        }
        seen.extend([e.name.clone(), e.name_zh.clone(), e.uscc.clone()]);
        out.push(e);
    }
    out
}

/// A job title for a work-permit application.
pub fn job_title(rng: &mut Rng) -> &'static str {
    pick(rng, JOB_TITLES)
}

/// A domestic health-check institution.
pub fn exam_institution(rng: &mut Rng) -> &'static str {
    pick_weighted(rng, EXAM_INSTITUTIONS, |e| e.1).0
}

/// Name pools and lookup tables. Latin-script pools hold the native spelling (the passport Latin is
/// derived by `latinize`); Cyrillic pools are transliterated by `cyr_latin`; other scripts are
/// (passport Latin, native) pairs.
#[rustfmt::skip]
mod data {
    pub type P = (&'static str, &'static str);
    pub type Pool = &'static [&'static str];
    pub type Fem = &'static [(&'static str, &'static str)];
    /// (nationalities, surnames, male, female, % two given names, ICAO umlaut expansion,
    /// female surname endings, % two surnames)
    pub type Western = (&'static str, Pool, Pool, Pool, u32, bool, Fem, u32);
    /// (nationalities, surnames, male, female, native separator, native given-name first,
    /// % of draws from the three commonest surnames)
    pub type Paired = (&'static str, &'static [P], &'static [P], &'static [P], &'static str, bool, u32);

    // Passport patterns: a = letter, n = digit, g = German passport character, x = letter or digit,
    // anything else is literal. GENERIC is the 1-2 letters + 7 digits fallback.
    pub const LETTERS: &str = "ABCDEFGHJKLMNPRSTUVWXYZ";
    pub const DIGITS: &str = "0123456789";
    pub const ALNUM: &str = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    pub const DE_CHARS: &str = "CFGHJKLMNPRTVWXYZ0123456789";
    const GENERIC: Pool = &["annnnnnn", "aannnnnnn"];
    /// (ISO alpha-3, weight, passport number patterns); HKG/MAC/TWN residents are not foreigners.
    pub const NATIONS: &[(&str, u32, Pool)] = &[("USA", 10, &["nnnnnnnnn", "Annnnnnnn"]), ("GBR", 7, &["nnnnnnnnn"]),
        ("CAN", 5, &["aannnnnn"]), ("AUS", 4, &["annnnnnn", "PAnnnnnnn"]), ("NZL", 2, &["LAnnnnnn", "LHnnnnnn"]),
        ("IRL", 2, &["aannnnnnn"]), ("ZAF", 3, &["Annnnnnnn"]), ("DEU", 5, &["Cgggggggg"]), ("FRA", 5, &["nnaannnnn"]),
        ("ITA", 3, &["YAnnnnnnn", "YBnnnnnnn"]), ("ESP", 3, &["PaAnnnnnn", "aaannnnnn"]), ("NLD", 2, &["aaxxxxxxn"]),
        ("SWE", 1, &["nnnnnnnn"]), ("POL", 2, &["aannnnnnn"]), ("RUS", 7, &["nnnnnnnnn"]), ("UKR", 3, &["aannnnnn"]),
        ("KAZ", 2, &["Nnnnnnnnn"]), ("JPN", 7, &["aannnnnnn"]), ("KOR", 9, &["Mnnnnnnnn", "Mnnnannnn"]),
        ("SGP", 4, &["Ennnnnnna", "Knnnnnnna"]), ("MYS", 4, &["Annnnnnnn"]), ("THA", 3, &["aannnnnnn"]),
        ("VNM", 3, &["Bnnnnnnn", "Cnnnnnnn"]), ("PHL", 3, &["Pnnnnnnna"]), ("IND", 5, &["annnnnnn"]),
        ("PAK", 3, &["aannnnnnn"]), ("EGY", 2, &["Annnnnnnn"]), ("SAU", 1, GENERIC), ("ARE", 1, GENERIC),
        ("JOR", 1, GENERIC), ("MAR", 1, &["aannnnnnn"]), ("NGA", 4, &["Annnnnnnn", "Bnnnnnnnn"]),
        ("KEN", 2, &["AKnnnnnnn", "BKnnnnnnn"]), ("BRA", 2, &["aannnnnn"]), ("MEX", 2, &["annnnnnnn"]),
        ("TUR", 2, &["Unnnnnnnn"]), ("IRN", 1, &["annnnnnnn"]), ("ISR", 1, &["nnnnnnnn"])];
    pub const WESTERN: &[Western] = &[
        ("USA GBR CAN AUS NZL IRL ZAF", EN_SUR, EN_M, EN_F, 45, false, &[], 0),
        ("DEU", DE_SUR, DE_M, DE_F, 25, true, &[], 0), ("SWE", SE_SUR, SE_M, SE_F, 20, true, &[], 0),
        ("FRA", FR_SUR, FR_M, FR_F, 20, false, &[], 0), ("ITA", IT_SUR, IT_M, IT_F, 10, false, &[], 0),
        ("NLD", NL_SUR, NL_M, NL_F, 30, false, &[], 0), ("TUR", TR_SUR, TR_M, TR_F, 10, false, &[], 0),
        ("POL", PL_SUR, PL_M, PL_F, 10, false, PL_FEM, 0),
        ("ESP MEX", ES_SUR, ES_M, ES_F, 10, false, &[], 100), ("BRA", PT_SUR, PT_M, PT_F, 15, false, &[], 60),
        ("PHL", PH_SUR, PH_M, PH_F, 15, false, &[], 0), ("NGA", NG_SUR, NG_M, NG_F, 40, false, &[], 0),
        ("KEN", KE_SUR, KE_M, KE_F, 30, false, &[], 0), ("IND", IN_SUR, IN_M, IN_F, 5, false, &[], 0),
        ("PAK", PK_SUR, PK_M, PK_F, 10, false, &[], 0)];
    pub const PAIRED: &[Paired] = &[
        ("JPN", JP_SUR, JP_M, JP_F, " ", false, 0), ("KOR", KR_SUR, KR_M, KR_F, "", false, 40),
        ("THA", TH_SUR, TH_M, TH_F, " ", true, 0), ("IRN", FA_SUR, FA_M, FA_F, " ", true, 0),
        ("ISR", HE_SUR, HE_M, HE_F, " ", true, 0), ("SEA-CHINESE", CN_SUR, CN_M, CN_F, "", false, 30)];
    pub const CYRILLIC: &[(&str, Pool, Pool, Pool)] = &[("RUS", RU_SUR, RU_M, RU_F), ("UKR", UA_SUR, UA_M, UA_F),
        ("KAZ", KZ_SUR, KZ_M, KZ_F)];
    /// Family names by region, (passport Latin, Arabic).
    pub const ARABIC: &[(&str, &[P])] = &[
        ("EGY", &[("ALSAYED", "السيد"), ("ELMASRY", "المصري"), ("ABDELRAHMAN", "عبدالرحمن"), ("ELSHERIF", "الشريف"),
            ("MANSOUR", "منصور"), ("SOLIMAN", "سليمان"), ("OSMAN", "عثمان")]),
        ("SAU ARE", &[("ALQAHTANI", "القحطاني"), ("ALOTAIBI", "العتيبي"), ("ALGHAMDI", "الغامدي"),
            ("ALHARBI", "الحربي"), ("ALDOSARI", "الدوسري"), ("ALMANSOORI", "المنصوري"), ("ALHASHIMI", "الهاشمي")]),
        ("JOR", &[("ALZOUBI", "الزعبي"), ("ALMASRI", "المصري"), ("HADDAD", "حداد"), ("ALKHATIB", "الخطيب"),
            ("NASSER", "ناصر"), ("ABU GHAZALEH", "أبو غزالة")]),
        ("MAR", &[("BENNANI", "بناني"), ("ALAOUI", "العلوي"), ("TAZI", "التازي"), ("IDRISSI", "الإدريسي"),
            ("BENALI", "بنعلي"), ("ELFASSI", "الفاسي")])];

    // ---- Latin script, native spelling
    pub const EN_SUR: Pool = &["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
        "Anderson", "Thomas", "Moore", "Clark", "Walker", "Wright", "Campbell", "Roberts", "Evans", "Hughes", "Murphy",
        "Kelly", "O'Brien", "Walsh", "MacDonald"];
    pub const EN_M: Pool = &["Liam", "Patrick", "Sean", "Oliver", "James", "John", "Robert", "Michael", "William",
        "David", "Richard", "Thomas", "Christopher", "Daniel", "Matthew", "Andrew", "Mark", "Paul"];
    pub const EN_F: Pool = &["Siobhan", "Niamh", "Charlotte", "Sophie", "Grace", "Claire", "Mary", "Jennifer",
        "Elizabeth", "Sarah", "Jessica", "Emily", "Emma", "Olivia", "Hannah", "Rachel", "Laura", "Rebecca"];
    pub const ZA_SUR: Pool = &["Botha", "van der Merwe", "Pretorius", "Nel", "du Plessis", "Venter", "Coetzee", "Steyn",
        "Joubert", "Fourie", "van Wyk", "Naidoo", "Pillay", "Dlamini", "Nkosi", "Ndlovu", "Mokoena", "Khumalo",
        "Mahlangu", "Zulu"];
    pub const DE_SUR: Pool = &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Groß", "Schröder", "Neumann", "Krüger", "Köhler",
        "Jäger"];
    pub const DE_M: Pool = &["Jürgen", "Jörg", "Sören", "Thomas", "Michael", "Andreas", "Stefan", "Markus", "Christian",
        "Matthias", "Frank", "Tobias", "Sebastian", "Jan"];
    pub const DE_F: Pool = &["Bärbel", "Anna", "Julia", "Katharina", "Sabine", "Petra", "Claudia", "Andrea", "Stefanie",
        "Sandra", "Laura", "Lena", "Jana", "Nicole"];
    pub const FR_SUR: Pool = &["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent",
        "Fournier"];
    pub const FR_M: Pool = &["Jean-Pierre", "François", "Sébastien", "Jérôme", "Éric", "Jean", "Pierre", "Philippe",
        "Alain", "Nicolas", "Julien", "Antoine", "Thomas", "Laurent"];
    pub const FR_F: Pool = &["Anne-Sophie", "Émilie", "Céline", "Hélène", "Chloé", "Léa", "Élodie", "Marie", "Nathalie",
        "Isabelle", "Sylvie", "Catherine", "Camille", "Sophie"];
    pub const IT_SUR: Pool = &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
        "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi",
        "Moretti"];
    pub const IT_M: Pool = &["Niccolò", "Marco", "Luca", "Giuseppe", "Alessandro", "Andrea", "Francesco", "Matteo",
        "Lorenzo", "Davide", "Simone", "Federico", "Riccardo", "Stefano"];
    pub const IT_F: Pool = &["Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Federica", "Alessia", "Martina",
        "Elena", "Silvia", "Laura", "Giorgia", "Elisa", "Roberta"];
    pub const ES_SUR: Pool = &["García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
        "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
        "Gutiérrez"];
    pub const ES_M: Pool = &["Juan Carlos", "José Luis", "Jesús", "José", "Antonio", "Manuel", "Francisco", "Javier",
        "David", "Daniel", "Carlos", "Alejandro", "Miguel", "Rafael"];
    pub const ES_F: Pool = &["Ana María", "María", "Lucía", "Sofía", "Mónica", "Carmen", "Ana", "Laura", "Isabel",
        "Marta", "Cristina", "Elena", "Paula", "Sara"];
    pub const PT_SUR: Pool = &["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
        "Lima", "Gomes", "Ribeiro", "Carvalho", "Almeida", "Lopes", "Barbosa", "Rocha", "Araújo", "Conceição",
        "Gonçalves", "Magalhães"];
    pub const PT_M: Pool = &["João", "André", "Fábio", "Luís", "Vinícius", "José", "Pedro", "Lucas", "Gabriel",
        "Rafael", "Mateus", "Gustavo", "Felipe", "Bruno"];
    pub const PT_F: Pool = &["Letícia", "Patrícia", "Vitória", "Júlia", "Débora", "Maria", "Ana", "Juliana", "Fernanda",
        "Camila", "Beatriz", "Larissa", "Mariana", "Gabriela"];
    pub const NL_SUR: Pool = &["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
        "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
        "Dekker", "Brouwer"];
    pub const NL_M: Pool = &["Jan", "Pieter", "Johannes", "Willem", "Hendrik", "Kees", "Bram", "Daan", "Sem", "Lars",
        "Thijs", "Joost", "Ruben", "Sander"];
    pub const NL_F: Pool = &["Anna", "Emma", "Sophie", "Julia", "Sanne", "Lotte", "Fleur", "Eva", "Lisa", "Anouk",
        "Femke", "Marieke", "Ingrid", "Esther"];
    pub const SE_SUR: Pool = &["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hansson", "Bengtsson", "Jönsson", "Lindberg",
        "Lindström", "Åberg", "Söderberg", "Ström"];
    pub const SE_M: Pool = &["Björn", "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Hans",
        "Fredrik", "Oskar", "Gustav"];
    pub const SE_F: Pool = &["Åsa", "Linnéa", "Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma",
        "Ingrid", "Elin", "Malin", "Sofia"];
    pub const PL_SUR: Pool = &["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Wojciechowski",
        "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski"];
    pub const PL_M: Pool = &["Łukasz", "Paweł", "Michał", "Rafał", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Marcin",
        "Jakub", "Adam", "Marek", "Grzegorz", "Mateusz"];
    pub const PL_F: Pool = &["Małgorzata", "Anna", "Maria", "Katarzyna", "Agnieszka", "Barbara", "Ewa", "Magdalena",
        "Joanna", "Aleksandra", "Monika", "Zofia", "Natalia", "Karolina"];
    pub const TR_SUR: Pool = &["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
        "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek"];
    pub const TR_M: Pool = &["İbrahim", "Hüseyin", "Oğuz", "Ömer", "Barış", "Mehmet", "Mustafa", "Ahmet", "Ali",
        "Hasan", "Murat", "Emre", "Burak", "Can"];
    pub const TR_F: Pool = &["Ayşe", "Büşra", "Özge", "Gül", "Pınar", "Fatma", "Emine", "Hatice", "Zeynep", "Elif",
        "Merve", "Esra", "Derya", "Ebru"];
    pub const VN_SUR: Pool = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai"];
    pub const VN_MID_M: Pool = &["Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Công"];
    pub const VN_MID_F: Pool = &["Thị", "Ngọc", "Thu", "Thanh", "Phương", "Thùy", "Mỹ"];
    pub const VN_M: Pool = &["An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hiếu", "Huy", "Khánh", "Long", "Nam",
        "Phong", "Quân", "Sơn"];
    pub const VN_F: Pool = &["Anh", "Chi", "Dung", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân",
        "Nhung", "Phương"];
    pub const PH_SUR: Pool = &["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres",
        "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro", "Mercado", "Dela Cruz",
        "De Leon", "Gonzales"];
    pub const PH_M: Pool = &["John Paul", "Jose", "Juan", "Mark", "Christian", "Jerome", "Angelo", "Carlo", "Miguel",
        "Paolo", "Rafael", "Ramon", "Jericho", "Arnel"];
    pub const PH_F: Pool = &["Mary Grace", "Rose Ann", "Maria", "Kristine", "Angelica", "Jennifer", "Joy", "Jasmine",
        "Princess", "Camille", "Nicole", "Andrea", "Maricel", "Rowena"];
    pub const IN_SUR: Pool = &["Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Reddy", "Rao", "Iyer",
        "Nair", "Menon", "Das", "Banerjee", "Chatterjee", "Mukherjee", "Joshi", "Mehta", "Agarwal", "Kapoor"];
    pub const IN_M: Pool = &["Rahul", "Amit", "Rajesh", "Suresh", "Vikram", "Arjun", "Rohan", "Sanjay", "Anil", "Vijay",
        "Manoj", "Deepak", "Karthik", "Arun"];
    pub const IN_F: Pool = &["Priya", "Anjali", "Pooja", "Neha", "Deepa", "Kavya", "Divya", "Sneha", "Lakshmi", "Anita",
        "Sunita", "Meera", "Shreya", "Swati"];
    pub const PK_SUR: Pool = &["Khan", "Ahmed", "Ali", "Hussain", "Malik", "Qureshi", "Butt", "Chaudhry", "Sheikh",
        "Siddiqui", "Raza", "Shah", "Akhtar", "Iqbal", "Javed", "Aslam", "Mirza", "Abbasi", "Baig", "Rana"];
    pub const PK_M: Pool = &["Muhammad", "Imran", "Asif", "Bilal", "Usman", "Fahad", "Hamza", "Zeeshan", "Kashif",
        "Adnan", "Faisal", "Tariq", "Waqas", "Junaid"];
    pub const PK_F: Pool = &["Ayesha", "Fatima", "Sana", "Hina", "Sadia", "Amna", "Mahnoor", "Zainab", "Maryam", "Nida",
        "Rabia", "Saima", "Iqra", "Kiran"];
    pub const NG_SUR: Pool = &["Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Ogunleye", "Nwosu", "Adebayo",
        "Oladipo", "Chukwu", "Ibrahim", "Bello", "Abubakar", "Obi", "Okoro", "Onyeka", "Adeleke", "Olawale", "Uche",
        "Nwachukwu"];
    pub const NG_M: Pool = &["Chinedu", "Emeka", "Oluwaseun", "Tunde", "Adebayo", "Ifeanyi", "Chukwuemeka", "Olumide",
        "Babatunde", "Ikechukwu", "Segun", "Kelechi", "Obinna", "Uchenna"];
    pub const NG_F: Pool = &["Ngozi", "Chiamaka", "Folake", "Funmilayo", "Adaeze", "Chioma", "Nkechi", "Yetunde",
        "Titilayo", "Amaka", "Ifeoma", "Blessing", "Grace", "Esther"];
    pub const KE_SUR: Pool = &["Otieno", "Odhiambo", "Ochieng", "Kamau", "Mwangi", "Kariuki", "Njoroge", "Kiprono",
        "Kipchoge", "Mutua", "Wambua", "Onyango", "Omondi", "Kibet", "Ndungu", "Gitau", "Maina", "Njenga", "Owino",
        "Kimani"];
    pub const KE_M: Pool = &["John", "Peter", "James", "Joseph", "David", "Samuel", "Brian", "Kevin", "Dennis",
        "Collins", "Victor", "Eric", "Moses", "Daniel"];
    pub const KE_F: Pool = &["Mary", "Grace", "Faith", "Mercy", "Esther", "Joyce", "Ann", "Jane", "Lucy", "Caroline",
        "Beatrice", "Wanjiru", "Akinyi", "Achieng"];
    pub const MY_M: Pool = &["Muhammad Hafiz", "Ahmad Faizal", "Mohd Azlan", "Muhammad Aiman", "Ahmad Zaki",
        "Mohd Rizal", "Amirul Hakim", "Muhammad Syafiq", "Haziq", "Faris", "Irfan", "Khairul Anuar", "Azman",
        "Zulkifli"];
    pub const MY_F: Pool = &["Nurul Ain", "Siti Aisyah", "Nur Aisyah", "Nurul Huda", "Siti Nurhaliza", "Farah Nadia",
        "Aina", "Nor Azlina", "Nur Izzati", "Syazwani", "Nur Hidayah", "Zulaikha", "Amira", "Balqis"];

    // ---- Cyrillic
    pub const RU_SUR: Pool = &["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
        "Новиков", "Фёдоров", "Морозов", "Волков", "Лебедев", "Семёнов", "Егоров", "Покровский", "Орлов", "Никитин",
        "Соловьёв", "Григорьев"];
    pub const RU_M: Pool = &["Дмитрий", "Сергей", "Игорь", "Алексей", "Андрей", "Артём", "Александр", "Борис", "Вадим",
        "Виктор", "Владимир", "Владислав", "Денис", "Иван", "Максим", "Роман"];
    pub const RU_F: Pool = &["Анна", "Елена", "Ольга", "Наталья", "Екатерина", "Татьяна", "Мария", "Ирина", "Светлана",
        "Юлия", "Анастасия", "Дарья", "Ксения", "Марина"];
    pub const UA_SUR: Pool = &["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
        "Коваль", "Поліщук", "Бойко", "Ткачук", "Мельник", "Лисенко", "Руденко", "Савченко", "Петренко", "Марченко",
        "Мороз", "Ковальський", "Яковенко"];
    pub const UA_M: Pool = &["Андрій", "Сергій", "Юрій", "Дмитро", "Петро", "Василь", "Ігор", "Євген", "Олексій",
        "Олександр", "Олег", "Іван", "Віталій", "Богдан"];
    pub const UA_F: Pool = &["Олена", "Ольга", "Наталія", "Оксана", "Тетяна", "Ірина", "Юлія", "Марія", "Анна",
        "Катерина", "Світлана", "Анастасія", "Вікторія", "Ганна"];
    pub const KZ_SUR: Pool = &["Ахметов", "Омаров", "Сулейменов", "Жумабаев", "Касымов", "Искаков", "Нурланов",
        "Турсунов", "Бекенов", "Абдрахманов", "Серикбаев", "Садыков", "Калиев", "Байжанов", "Есенов", "Ермеков",
        "Мухамедов", "Тулеубаев", "Оспанов", "Кенжебаев"];
    pub const KZ_M: Pool = &["Нурлан", "Серик", "Ержан", "Асхат", "Бауыржан", "Данияр", "Айдар", "Арман", "Ерлан",
        "Марат", "Руслан", "Тимур", "Алмас", "Бекзат"];
    pub const KZ_F: Pool = &["Айгерим", "Динара", "Жанар", "Асель", "Гульнара", "Камила", "Мадина", "Айжан", "Салтанат",
        "Алия", "Жанна", "Айнур", "Томирис", "Меруерт"];

    // ---- (passport Latin, native script); Japanese Hepburn without macrons, Singapore/Malaysia
    // Chinese in dialect romanisation with simplified characters.
    pub const JP_SUR: &[P] = &[("SATO", "佐藤"), ("SUZUKI", "鈴木"), ("TAKAHASHI", "高橋"), ("TANAKA", "田中"),
        ("ITO", "伊藤"), ("WATANABE", "渡辺"), ("YAMAMOTO", "山本"), ("NAKAMURA", "中村"), ("KOBAYASHI", "小林"),
        ("KATO", "加藤"), ("YOSHIDA", "吉田"), ("YAMADA", "山田"), ("SASAKI", "佐々木"), ("YAMAGUCHI", "山口"),
        ("MATSUMOTO", "松本"), ("INOUE", "井上"), ("KIMURA", "木村"), ("HAYASHI", "林"), ("SAITO", "斎藤"),
        ("SHIMIZU", "清水")];
    pub const JP_M: &[P] = &[("TARO", "太郎"), ("KENTA", "健太"), ("SHOTA", "翔太"), ("DAISUKE", "大輔"),
        ("TAKUYA", "拓也"), ("NAOKI", "直樹"), ("MAKOTO", "誠"), ("KOJI", "浩二"), ("TAKASHI", "隆"),
        ("KENICHI", "健一"), ("KAZUYA", "和也"), ("RYO", "亮"), ("DAIKI", "大樹"), ("YUTO", "悠斗")];
    pub const JP_F: &[P] = &[("SAKURA", "さくら"), ("AYUMI", "あゆみ"), ("HIKARI", "ひかり"), ("HANAKO", "花子"),
        ("YOKO", "陽子"), ("KEIKO", "恵子"), ("MISAKI", "美咲"), ("AYA", "彩"), ("YUMI", "由美"), ("MAYUMI", "真由美"),
        ("AKEMI", "明美"), ("NAOMI", "直美"), ("MAI", "麻衣"), ("YUKO", "優子")];
    pub const KR_SUR: &[P] = &[("KIM", "김"), ("LEE", "이"), ("PARK", "박"), ("CHOI", "최"), ("JUNG", "정"),
        ("KANG", "강"), ("CHO", "조"), ("YOON", "윤"), ("JANG", "장"), ("LIM", "임"), ("HAN", "한"), ("OH", "오"),
        ("SEO", "서"), ("SHIN", "신"), ("KWON", "권"), ("HWANG", "황"), ("AHN", "안"), ("SONG", "송"), ("RYU", "류"),
        ("JEON", "전")];
    pub const KR_M: &[P] = &[("MINJUN", "민준"), ("SEOJUN", "서준"), ("DOYUN", "도윤"), ("YEJUN", "예준"),
        ("SIWOO", "시우"), ("HAJUN", "하준"), ("JIHO", "지호"), ("JUNSEO", "준서"), ("HYUNWOO", "현우"),
        ("JIHOON", "지훈"), ("SUNGMIN", "성민"), ("DONGHYUN", "동현"), ("YOUNGHO", "영호"), ("JUNGHOON", "정훈")];
    pub const KR_F: &[P] = &[("SEOYEON", "서연"), ("SEOYUN", "서윤"), ("JIWOO", "지우"), ("HAEUN", "하은"),
        ("MINSEO", "민서"), ("JIMIN", "지민"), ("SUBIN", "수빈"), ("JIHYUN", "지현"), ("EUNJI", "은지"),
        ("HYEJIN", "혜진"), ("SUJIN", "수진"), ("MIYOUNG", "미영"), ("YOUNGHEE", "영희"), ("YUJIN", "유진")];
    pub const CN_SUR: &[P] = &[("TAN", "陈"), ("LIM", "林"), ("LEE", "李"), ("NG", "黄"), ("TEO", "张"), ("ONG", "王"),
        ("GOH", "吴"), ("LAU", "刘"), ("CHUA", "蔡"), ("YEO", "杨"), ("TAY", "郑"), ("KOH", "许"), ("ANG", "洪"),
        ("KHOO", "邱"), ("LEONG", "梁"), ("HO", "何"), ("YAP", "叶"), ("WONG", "黄"), ("CHAN", "陈"), ("CHONG", "钟")];
    pub const CN_M: &[P] = &[("CHEE MENG", "志明"), ("CHEE KEONG", "志强"), ("KOK MENG", "国明"), ("WEI MING", "伟明"),
        ("JUN JIE", "俊杰"), ("JIA HAO", "家豪"), ("WEI JIE", "伟杰"), ("JUN HUI", "俊辉"), ("JIAN HUA", "建华"),
        ("KOK WAH", "国华"), ("YEW MING", "耀明"), ("CHIN WAH", "振华"), ("KIM LEONG", "金龙"), ("SOON HUAT", "顺发")];
    pub const CN_F: &[P] = &[("MEI LING", "美玲"), ("SIEW ENG", "秀英"), ("HUI MIN", "慧敏"), ("SOOK FUN", "淑芬"),
        ("PEI LING", "佩玲"), ("SUET MUI", "雪梅"), ("LI HUA", "丽华"), ("SHI HAN", "诗涵"), ("XIN YI", "欣怡"),
        ("JIA HUI", "佳慧"), ("SI YING", "思颖"), ("GEOK LAN", "玉兰"), ("SIEW LING", "秀玲"), ("GUAT NGOH", "月娥")];
    pub const TH_SUR: &[P] = &[("JAIDEE", "ใจดี"), ("SUKSAWAT", "สุขสวัสดิ์"), ("SRISUK", "ศรีสุข"), ("WONGSAWAT", "วงศ์สวัสดิ์"),
        ("SAENGTHONG", "แสงทอง"), ("THONGDEE", "ทองดี"), ("BOONMA", "บุญมา"), ("SRIWONG", "ศรีวงศ์"), ("PROMMA", "พรหมมา"),
        ("SOMBOON", "สมบูรณ์"), ("KAEWMANEE", "แก้วมณี"), ("MEESUK", "มีสุข"), ("SUWAN", "สุวรรณ"), ("WONGYAI", "วงศ์ใหญ่"),
        ("RUNGRUANG", "รุ่งเรือง"), ("SRISOMBOON", "ศรีสมบูรณ์"), ("THONGMA", "ทองมา"), ("BOONRUANG", "บุญเรือง"),
        ("INKAEW", "อินทร์แก้ว"), ("CHAROENSUK", "เจริญสุข")];
    pub const TH_M: &[P] = &[("SOMCHAI", "สมชาย"), ("SOMSAK", "สมศักดิ์"), ("PRASERT", "ประเสริฐ"), ("WICHAI", "วิชัย"),
        ("SURACHAI", "สุรชัย"), ("ANUCHA", "อนุชา"), ("THANAKORN", "ธนากร"), ("NATTHAPHON", "ณัฐพล"),
        ("KITTIPONG", "กิตติพงษ์"), ("CHAIWAT", "ชัยวัฒน์"), ("APICHAT", "อภิชาติ"), ("SUTTHIPONG", "สุทธิพงษ์"),
        ("THEERAWAT", "ธีรวัฒน์"), ("PHONGSAKORN", "พงศกร")];
    pub const TH_F: &[P] = &[("SOMYING", "สมหญิง"), ("SUDA", "สุดา"), ("MALEE", "มาลี"), ("WANPEN", "วันเพ็ญ"),
        ("PATTAMA", "ปัทมา"), ("KANOKWAN", "กนกวรรณ"), ("SUPAPORN", "สุภาพร"), ("RATTANA", "รัตนา"), ("NAPHA", "นภา"),
        ("SIRIPORN", "ศิริพร"), ("ARUNEE", "อรุณี"), ("PORNTHIP", "พรทิพย์"), ("JANJIRA", "จันทร์จิรา"), ("NATTHIDA", "ณัฐธิดา")];
    pub const AR_M: &[P] = &[("MOHAMED", "محمد"), ("AHMED", "أحمد"), ("MAHMOUD", "محمود"), ("ALI", "علي"),
        ("HASSAN", "حسن"), ("HUSSEIN", "حسين"), ("OMAR", "عمر"), ("KHALED", "خالد"), ("YOUSSEF", "يوسف"),
        ("IBRAHIM", "إبراهيم"), ("MOSTAFA", "مصطفى"), ("ABDULLAH", "عبدالله"), ("TAREK", "طارق"), ("SAMI", "سامي")];
    pub const AR_F: &[P] = &[("FATMA", "فاطمة"), ("MARYAM", "مريم"), ("NOUR", "نور"), ("SARA", "سارة"),
        ("LAILA", "ليلى"), ("HODA", "هدى"), ("AMAL", "أمل"), ("RANIA", "رانيا"), ("DINA", "دينا"),
        ("YASMINE", "ياسمين"), ("SALMA", "سلمى"), ("MONA", "منى"), ("HEBA", "هبة"), ("NADIA", "نادية")];
    pub const FA_SUR: &[P] = &[("MOHAMMADI", "محمدی"), ("HOSSEINI", "حسینی"), ("AHMADI", "احمدی"), ("REZAEI", "رضایی"),
        ("MOUSAVI", "موسوی"), ("KARIMI", "کریمی"), ("RAHIMI", "رحیمی"), ("JAFARI", "جعفری"), ("SADEGHI", "صادقی"),
        ("GHASEMI", "قاسمی"), ("KAZEMI", "کاظمی"), ("HASHEMI", "هاشمی"), ("NOURI", "نوری"), ("AKBARI", "اکبری"),
        ("TEHRANI", "تهرانی"), ("SHARIFI", "شریفی"), ("AMINI", "امینی"), ("NAJAFI", "نجفی"), ("ROSTAMI", "رستمی"),
        ("FARHADI", "فرهادی")];
    pub const FA_M: &[P] = &[("ALI", "علی"), ("MOHAMMAD", "محمد"), ("REZA", "رضا"), ("HOSSEIN", "حسین"),
        ("MEHDI", "مهدی"), ("AMIR", "امیر"), ("SAEED", "سعید"), ("HAMID", "حمید"), ("MAJID", "مجید"),
        ("BEHROUZ", "بهروز"), ("DARIUSH", "داریوش"), ("KAMRAN", "کامران"), ("FARSHID", "فرشید"), ("ARASH", "آرش")];
    pub const FA_F: &[P] = &[("MARYAM", "مریم"), ("FATEMEH", "فاطمه"), ("ZAHRA", "زهرا"), ("SARA", "سارا"),
        ("NAZANIN", "نازنین"), ("SHIRIN", "شیرین"), ("LEILA", "لیلا"), ("MINA", "مینا"), ("NEGAR", "نگار"),
        ("PARISA", "پریسا"), ("ELHAM", "الهام"), ("SAMIRA", "سمیرا"), ("MAHSA", "مهسا"), ("NARGES", "نرگس")];
    pub const HE_SUR: &[P] = &[("COHEN", "כהן"), ("LEVI", "לוי"), ("MIZRAHI", "מזרחי"), ("PERETZ", "פרץ"),
        ("BITON", "ביטון"), ("DAHAN", "דהן"), ("AVRAHAM", "אברהם"), ("FRIEDMAN", "פרידמן"), ("AZULAY", "אזולאי"),
        ("MALKA", "מלכה"), ("KATZ", "כץ"), ("OHAYON", "אוחיון"), ("YOSEF", "יוסף"), ("HADAD", "חדד"), ("GABAY", "גבאי"),
        ("SHAPIRA", "שפירא"), ("ROSENBERG", "רוזנברג"), ("BEN DAVID", "בן דוד"), ("SHALOM", "שלום"),
        ("ASHKENAZI", "אשכנזי")];
    pub const HE_M: &[P] = &[("DAVID", "דוד"), ("YOSEF", "יוסף"), ("MOSHE", "משה"), ("AVRAHAM", "אברהם"),
        ("YAAKOV", "יעקב"), ("DANIEL", "דניאל"), ("ITAY", "איתי"), ("OMER", "עומר"), ("NOAM", "נועם"),
        ("YONATAN", "יונתן"), ("URI", "אורי"), ("GUY", "גיא"), ("ALON", "אלון"), ("RON", "רון")];
    pub const HE_F: &[P] = &[("SARAH", "שרה"), ("RACHEL", "רחל"), ("MICHAL", "מיכל"), ("NOA", "נועה"), ("TAMAR", "תמר"),
        ("YAEL", "יעל"), ("SHIRA", "שירה"), ("MAYA", "מאיה"), ("ROTEM", "רותם"), ("LIOR", "ליאור"), ("HADAR", "הדר"),
        ("ORIT", "אורית"), ("DANA", "דנה"), ("INBAL", "ענבל")];

    // ---- transliteration
    /// (letters, ICAO expanded, plain): Ä → AE in German/Swedish passports, A elsewhere.
    pub const FOLD: &[(&str, &str, &str)] = &[("Ä", "AE", "A"), ("Å", "AA", "A"), ("Ö", "OE", "O"), ("Ü", "UE", "U"),
        ("Æ", "AE", "AE"), ("Ø", "OE", "OE"), ("ÀÁÂÃĀĂĄẠẢẤẦẨẪẬẮẰẲẴẶ", "A", "A"), ("ÇĆČ", "C", "C"), ("ĎĐ", "D", "D"),
        ("ÈÉÊËĒĖĘĚẸẺẼẾỀỂỄỆ", "E", "E"), ("ĞĢ", "G", "G"), ("ÌÍÎÏĨĪİỈỊ", "I", "I"), ("ŁĽ", "L", "L"), ("ÑŃŇ", "N", "N"),
        ("ÒÓÔÕŌŐƠỌỎỐỒỔỖỘỚỜỞỠỢ", "O", "O"), ("ŘŔ", "R", "R"), ("ŚŞŠȘ", "S", "S"), ("ŢŤȚ", "T", "T"),
        ("ÙÚÛŨŪŮŰŲƯỤỦỨỪỬỮỰ", "U", "U"), ("ÝŸỲỴỶỸ", "Y", "Y"), ("ŹŻŽ", "Z", "Z")];
    pub const CYR: &[(char, &str)] = &[('А', "A"), ('Б', "B"), ('В', "V"), ('Г', "G"), ('Ґ', "G"), ('Д', "D"),
        ('Е', "E"), ('Ё', "E"), ('Э', "E"), ('Є', "IE"), ('Ж', "ZH"), ('З', "Z"), ('И', "I"), ('І', "I"), ('Ї', "I"),
        ('Й', "I"), ('К', "K"), ('Л', "L"), ('М', "M"), ('Н', "N"), ('О', "O"), ('П', "P"), ('Р', "R"), ('С', "S"),
        ('Т', "T"), ('У', "U"), ('Ф', "F"), ('Х', "KH"), ('Ц', "TS"), ('Ч', "CH"), ('Ш', "SH"), ('Щ', "SHCH"),
        ('Ъ', "IE"), ('Ы', "Y"), ('Ю', "IU"), ('Я', "IA"), (' ', " "), ('-', "-")];
    /// Ukrainian national system: (letter, word-initial, elsewhere).
    pub const CYR_UKR: &[(char, &str, &str)] = &[('Г', "H", "H"), ('И', "Y", "Y"), ('Є', "YE", "IE"), ('Ї', "YI", "I"),
        ('Й', "Y", "I"), ('Ю', "YU", "IU"), ('Я', "YA", "IA")];
    pub const CYR_FEM: Fem = &[("ський", "ська"), ("цький", "цька"), ("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"),
        ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина"), ("ын", "ына")];
    pub const PL_FEM: Fem = &[("ski", "ska"), ("cki", "cka")];

    // ---- employers
    /// GB 32100-2015 character set (no I, O, S, V, Z).
    pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    /// (English, Chinese, administrative division code, weight)
    pub const DISTRICTS: &[(&str, &str, &str, u32)] = &[("Tianhe", "天河", "440106", 24),
        ("Yuexiu", "越秀", "440104", 12), ("Haizhu", "海珠", "440105", 12), ("Huangpu", "黄埔", "440112", 16),
        ("Panyu", "番禺", "440113", 10), ("Baiyun", "白云", "440111", 9), ("Nansha", "南沙", "440115", 7),
        ("Liwan", "荔湾", "440103", 5), ("Huadu", "花都", "440114", 3), ("Zengcheng", "增城", "440118", 2),
        ("Conghua", "从化", "440117", 1)];
    pub const BRANDS: &[P] = &[("Lingnan", "岭南"), ("Yangcheng", "羊城"), ("Suihua", "穗华"), ("Zhujiang", "珠江"),
        ("Huacheng", "花城"), ("Nanyue", "南粤"), ("Wuyang", "五羊"), ("Pazhou", "琶洲"), ("Dongshan", "东山"),
        ("Xiguan", "西关"), ("Lianhua", "莲花"), ("Huanan", "华南"), ("Xinghe", "星河"), ("Jinsui", "金穗"),
        ("Hengyu", "恒宇"), ("Ruiyuan", "瑞源"), ("Huaxin", "华信"), ("Xinchuang", "新创"), ("Boya", "博雅"),
        ("Jinhui", "金辉"), ("Tianyu", "天宇"), ("Hongtu", "宏图"), ("Yuehai", "粤海"), ("Haoyang", "浩洋"),
        ("Mingde", "明德"), ("Kaixuan", "凯旋"), ("Jiahe", "嘉和"), ("Shengda", "盛达"), ("Zhongying", "中盈"),
        ("Yuntu", "云图"), ("Chuangxiang", "创想"), ("Zhiyuan", "智远")];
    pub const INDUSTRIES: &[P] = &[("Robotics", "机器人"), ("Intelligent Technology", "智能科技"),
        ("Biotechnology", "生物科技"), ("Pharmaceutical", "医药"), ("Education Technology", "教育科技"),
        ("Language Training", "语言培训"), ("Trading", "贸易"), ("Import and Export", "进出口"), ("Logistics", "物流"),
        ("Software", "软件"), ("Information Technology", "信息技术"), ("Network Technology", "网络科技"),
        ("Culture Media", "文化传媒"), ("Auto Parts", "汽车零部件"), ("New Energy", "新能源"),
        ("Semiconductor", "半导体"), ("Medical Devices", "医疗器械"), ("Cosmetics", "化妆品"), ("Garment", "服装"),
        ("Food", "食品"), ("Architectural Design", "建筑设计"), ("Management Consulting", "管理咨询"),
        ("Hotel Management", "酒店管理"), ("Catering Management", "餐饮管理"), ("Electronics", "电子"),
        ("Precision Machinery", "精密机械"), ("Environmental Technology", "环保科技"),
        ("Exhibition Services", "会展服务"), ("Film and Television", "影视"),
        ("Interactive Entertainment", "互动娱乐")];
    /// (English, Chinese, weight)
    pub const SUFFIXES: &[(&str, &str, u32)] = &[("Co., Ltd.", "有限公司", 12), ("Group Co., Ltd.", "集团有限公司", 1),
        ("Development Co., Ltd.", "发展有限公司", 1), ("Holdings Co., Ltd.", "控股有限公司", 1),
        ("Joint Stock Co., Ltd.", "股份有限公司", 2), ("Industrial Co., Ltd.", "实业有限公司", 1)];
    pub const JOB_TITLES: Pool = &["Senior Robotics Engineer", "Foreign Language Teacher", "Chief Financial Officer",
        "General Manager", "Chief Executive Officer", "Chief Technology Officer", "Software Engineer",
        "Senior Software Engineer", "Data Scientist", "Product Manager", "Marketing Director", "Sales Director",
        "Business Development Manager", "Regional Sales Manager", "English Teacher", "Spanish Teacher",
        "Japanese Language Teacher", "International School Teacher", "Mathematics Teacher", "Kindergarten Teacher",
        "University Lecturer", "Research Scientist", "Postdoctoral Researcher", "Mechanical Engineer",
        "Electrical Engineer", "Process Engineer", "Quality Assurance Manager", "Supply Chain Manager",
        "Logistics Manager", "Procurement Manager", "Chief Designer", "Architect", "Interior Designer", "Head Chef",
        "Hotel General Manager", "Financial Controller"];
    pub const EXAM_INSTITUTIONS: &[(&str, u32)] = &[("Guangdong International Travel Healthcare Center", 60),
        ("Guangdong International Travel Healthcare Center (Guangzhou Customs Port Clinic)", 15),
        ("Guangdong International Travel Healthcare Center Huangpu Branch", 8),
        ("Guangdong International Travel Healthcare Center Nansha Branch", 5),
        ("Shenzhen International Travel Healthcare Center", 5), ("Foshan International Travel Healthcare Center", 3),
        ("Dongguan International Travel Healthcare Center", 2), ("Shanghai International Travel Healthcare Center", 1),
        ("Beijing International Travel Healthcare Center", 1)];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Independent GB 32100 check: alphabet positions, weights 3^i mod 31.
    fn check17(s: &str) -> Option<char> {
        let alpha: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
        let (mut w, mut sum) = (1, 0);
        for c in s.chars() {
            sum += alpha.iter().position(|&a| a == c)? as u32 * w;
            w = w * 3 % 31;
        }
        (s.chars().count() == 17).then(|| alpha[((31 - sum % 31) % 31) as usize])
    }

    #[test]
    fn uscc_check_char_known_example_and_invalid_input() {
        assert_eq!(uscc_check_char("91440101MA5CQ7H2X"), Some('C'));
        assert_eq!(check17("91440101MA5CQ7H2X"), Some('C'));
        for bad in [
            "91440101MA5CQ7H2",
            "91440101MA5CQ7H2XC",
            "9144010IMA5CQ7H2X",
            "91440101ma5cq7h2x",
        ] {
            assert_eq!(uscc_check_char(bad), None, "{bad}");
        }
    }

    #[test]
    fn same_seed_same_data() {
        let run = |seed| {
            let mut rng = Rng::with_seed(seed);
            let people: Vec<Person> = (0..1000).map(|_| person(&mut rng)).collect();
            let extras = (job_title(&mut rng), exam_institution(&mut rng));
            (people, employers(&mut rng, 200), extras)
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7).0, run(8).0);
    }

    #[test]
    fn employers_are_valid_and_distinct() {
        let mut rng = Rng::with_seed(2024);
        let list = employers(&mut rng, 200);
        assert_eq!(list.len(), 200);
        let mut seen = HashSet::new();
        for e in &list {
            let (first17, check) = e.uscc.split_at(17);
            assert_eq!(check17(first17).map(String::from).as_deref(), Some(check));
            let code = DISTRICTS.iter().find(|d| d.0 == e.district).map(|d| d.2);
            assert_eq!(
                (e.uscc.len(), &e.uscc[..2], Some(&e.uscc[2..8])),
                (18, "91", code)
            );
            assert!(
                e.name.contains("Guangzhou") && e.name_zh.contains("广州"),
                "{e:?}"
            );
            assert!(
                e.name.ends_with("Ltd.") && e.name_zh.ends_with("公司"),
                "{e:?}"
            );
            assert!(
                [&e.uscc, &e.name, &e.name_zh]
                    .iter()
                    .all(|k| seen.insert(k.to_string()))
            );
        }
    }

    #[test]
    fn persons_look_real() {
        let mut rng = Rng::with_seed(1);
        let people: Vec<Person> = (0..10_000).map(|_| person(&mut rng)).collect();
        for p in &people {
            let name_ok = |c: char| c.is_ascii_uppercase() || c == ' ' || c == '-';
            assert!(p.name.chars().all(name_ok) && p.name.contains(' '), "{p:?}");
            assert!(!p.name.contains("  ") && p.name.trim() == p.name, "{p:?}");
            let pass_ok = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
            let pass = &p.passport_no;
            assert!(
                (5..=20).contains(&pass.len()) && pass.chars().all(pass_ok),
                "{p:?}"
            );
            let (y, m, d) = p.birth_date;
            let feb = if y % 4 == 0 { 29 } else { 28 };
            let max = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1];
            assert!(
                (1960..=2000).contains(&y) && (1..=max).contains(&d),
                "{p:?}"
            );
            assert!(!["HKG", "MAC", "TWN", "CHN"].contains(&p.nationality));
            assert!(
                p.name_native.as_ref().is_none_or(|n| !n.is_ascii()),
                "{p:?}"
            );
        }
        let nats: HashSet<_> = people.iter().map(|p| p.nationality).collect();
        assert!(nats.len() >= 30, "{}", nats.len());
        // (nationality, script range) pairs that must occur in name_native
        let scripts = [
            ("SGP", '\u{4E00}', '\u{9FFF}'), // Han
            ("MYS", '\u{4E00}', '\u{9FFF}'),
            ("JPN", '\u{4E00}', '\u{9FFF}'), // Kanji
            ("JPN", '\u{3040}', '\u{309F}'), // Hiragana
            ("KOR", '\u{AC00}', '\u{D7AF}'), // Hangul
            ("RUS", 'А', 'я'),
            ("UKR", 'і', 'ї'),
            ("EGY", '\u{0600}', '\u{06FF}'), // Arabic
            ("IRN", '\u{06A9}', '\u{06CC}'), // Persian letters
            ("THA", '\u{0E00}', '\u{0E7F}'),
            ("ISR", '\u{05D0}', '\u{05EA}'),
            ("DEU", 'ü', 'ü'),
            ("VNM", 'ễ', 'ễ'),
        ];
        for (nat, lo, hi) in scripts {
            let mut natives = people.iter().filter(|p| p.nationality == nat);
            let found = natives.any(|p| {
                p.name_native
                    .iter()
                    .flat_map(|n| n.chars())
                    .any(|c| (lo..=hi).contains(&c))
            });
            assert!(found, "{nat} {lo}");
        }
    }

    #[test]
    fn transliteration() {
        assert_eq!(latinize("Müller Jürgen", true), "MUELLER JUERGEN");
        assert_eq!(latinize("Groß Åsa", true), "GROSS AASA");
        assert_eq!(latinize("García López María", false), "GARCIA LOPEZ MARIA");
        assert_eq!(latinize("Nguyễn Văn An", false), "NGUYEN VAN AN");
        assert_eq!(latinize("Đặng Thị Quỳnh", false), "DANG THI QUYNH");
        assert_eq!(latinize("Yıldırım İbrahim", false), "YILDIRIM IBRAHIM");
        assert_eq!(latinize("O'Brien Jean-Pierre", false), "OBRIEN JEAN-PIERRE");
        assert_eq!(cyr_latin("Смирнова Анна", false), "SMIRNOVA ANNA");
        assert_eq!(cyr_latin("Соловьёв Юлия", false), "SOLOVEV IULIIA");
        assert_eq!(
            cyr_latin("Олійник Юлія Євген", true),
            "OLIINYK YULIIA YEVHEN"
        );
        assert_eq!(cyr_latin("Ковальська Ганна", true), "KOVALSKA HANNA");
        assert_eq!(feminize("Покровский", false, CYR_FEM), "Покровская");
        assert_eq!(feminize("Wiśniewski", false, PL_FEM), "Wiśniewska");
        assert_eq!(feminize("Wiśniewski", true, PL_FEM), "Wiśniewski");
        assert_eq!(patronymic("Сергей", false, false), "Сергеевна");
        assert_eq!(patronymic("Дмитрий", true, false), "Дмитриевич");
        assert_eq!(patronymic("Игорь", true, false), "Игоревич");
        assert_eq!(patronymic("Сергій", false, true), "Сергіївна");
        assert_eq!(patronymic("Петро", true, true), "Петрович");
        assert_eq!(patronymic("Василь", false, true), "Василівна");
    }

    #[test]
    fn every_pool_entry_transliterates_completely() {
        let pools = WESTERN.iter().flat_map(|w| [w.1, w.2, w.3]);
        let pools = pools.chain([ZA_SUR, VN_SUR, VN_MID_M, VN_MID_F, VN_M, VN_F]);
        for s in pools.flatten() {
            let letters = s.chars().filter(|c| c.is_alphabetic()).count();
            assert!(latinize(s, false).len() >= letters && !s.is_empty(), "{s}");
        }
        for (nat, sur, m, f) in CYRILLIC {
            for s in sur.iter().chain(*m).chain(*f) {
                let letters = s.chars().filter(|c| c.is_alphabetic() && *c != 'ь').count();
                assert!(cyr_latin(s, *nat == "UKR").len() >= letters, "{s}");
            }
        }
    }
}
