//! Identifier validation: unified social credit codes (GB 32100-2015),
//! ISO 3166-1 alpha-3 nationalities and passport numbers. Pure functions, no I/O.
//!
//! Validators do not normalise: callers fold input first (`fold`: NFKC, upper case, invisible
//! characters refused) if they want to be lenient.

mod fold;

pub use fold::{fold_id, fold_passport, fold_search, fold_uscc, refuse_invisible};

use super::invisible::Hidden;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("{0}")]
    Invisible(Hidden),
    #[error(
        "unified social credit code {code:?} must be {expected} characters from 0-9 A-H J-N P-R T-U W-Y, found {found}"
    )]
    UsccLength {
        code: String,
        expected: usize,
        found: usize,
    },
    #[error(
        "unified social credit code {code:?}: {ch:?} at position {position} is not allowed, must be {expected} characters from 0-9 A-H J-N P-R T-U W-Y"
    )]
    UsccCharacter {
        code: String,
        expected: usize,
        /// 1-based.
        position: usize,
        ch: char,
    },
    #[error(
        "unified social credit code {code}: check character should be {expected}, found {found}"
    )]
    UsccCheck {
        code: String,
        expected: char,
        found: char,
    },
    #[error(
        "unified social credit code {code}: the first character, the registration authority, is {ch:?}; GB 32100 defines 1-9, A, N and Y"
    )]
    UsccAuthority { code: String, ch: char },
    #[error(
        "unified social credit code {code}: the second character, the entity type under registration authority {authority}, is {ch:?}; GB 32100 defines {expected} there"
    )]
    UsccEntityType {
        code: String,
        authority: char,
        ch: char,
        expected: String,
    },
    #[error(
        "unified social credit code {code}: characters 3-8 ({division:?}) must be the registering authority's six-digit administrative division code (GB/T 2260: a province 11-82, or 100000 for a national registration)"
    )]
    UsccDivision { code: String, division: String },
    #[error("nationality {0:?} is not an ISO 3166-1 alpha-3 code")]
    Nationality(String),
    #[error("CHN: a citizen of China needs no foreigner's work permit")]
    ChineseNationality,
    #[error(
        "{0}: residents of Hong Kong, Macao and Taiwan need no work permit to work in the mainland since 2018"
    )]
    NoPermitSince2018(String),
    #[error(
        "{name:?} is in Chinese, Japanese or Korean script; applicant.name is the passport's Latin spelling: put this name in name_native"
    )]
    NameInCjk { name: String },
    #[error(
        "{ch:?} at position {position} is not a Latin letter; applicant.name is the passport's Latin spelling (letters, spaces, - ' ,): the applicant's own script goes in name_native"
    )]
    NameCharacter {
        /// 1-based.
        position: usize,
        ch: char,
    },
    #[error("passport number must be 5-20 letters or digits, found {found} characters")]
    PassportLength { found: usize },
    #[error(
        "passport number must be 5-20 letters or digits (A-Z, 0-9), found {ch:?} at position {position}"
    )]
    PassportCharacter {
        /// 1-based.
        position: usize,
        ch: char,
    },
}

/// GB 32100-2015 character set: digits and upper-case letters without I, O, S, V, Z.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const USCC_LEN: usize = 18;

/// Bounds what an error message can carry back from arbitrary input.
fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

fn uscc_value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    USCC_ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

/// Checks length and character set, returning the character values.
fn uscc_values(code: &str, expected: usize) -> Result<Vec<u32>, IdError> {
    let found = code.chars().count();
    if found != expected {
        return Err(IdError::UsccLength {
            code: excerpt(code),
            expected,
            found,
        });
    }
    code.chars()
        .enumerate()
        .map(|(i, ch)| {
            uscc_value(ch).ok_or_else(|| IdError::UsccCharacter {
                code: excerpt(code),
                expected,
                position: i + 1,
                ch,
            })
        })
        .collect()
}

fn uscc_check_from_values(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    char::from(USCC_ALPHABET[check as usize])
}

/// Computes the 18th (check) character of a unified social credit code from its first 17.
pub fn uscc_check_char(first17: &str) -> Result<char, IdError> {
    let values = uscc_values(first17, USCC_LEN - 1)?;
    Ok(uscc_check_from_values(&values))
}

/// The entity types GB 32100-2015 defines under each registration authority (its first two
/// characters): 1 staffing (机构编制), 2 foreign affairs, 3 justice, 4 culture, 5 civil affairs,
/// 6 tourism, 7 religious affairs, 8 trade unions, 9 market regulation (工商), A the military's
/// staffing office, N agriculture, Y other.
const USCC_ENTITY_TYPES: &[(char, &str)] = &[
    ('1', "1239"),
    ('2', "19"),
    ('3', "123459"),
    ('4', "19"),
    ('5', "1239"),
    ('6', "129"),
    ('7', "129"),
    ('8', "19"),
    ('9', "123"),
    ('A', "19"),
    ('N', "1239"),
    ('Y', "1"),
];

/// GB/T 2260 province-level codes (the first two digits of a division code); a registration
/// by a national authority carries 100000.
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

fn plausible_division(division: &str) -> bool {
    division.len() == 6
        && division.bytes().all(|b| b.is_ascii_digit())
        && (division == "100000"
            || division
                .get(..2)
                .and_then(|p| p.parse::<u8>().ok())
                .is_some_and(|p| PROVINCES.contains(&p)))
}

/// The structure of GB 32100's first eight characters: authority, entity type, division.
fn uscc_structure(code: &str) -> Result<(), IdError> {
    let mut chars = code.chars();
    let authority = chars.next().unwrap_or_default();
    let entity = chars.next().unwrap_or_default();
    let Some(&(_, types)) = USCC_ENTITY_TYPES.iter().find(|(a, _)| *a == authority) else {
        return Err(IdError::UsccAuthority {
            code: code.to_owned(),
            ch: authority,
        });
    };
    if !types.contains(entity) {
        let expected: Vec<String> = types.chars().map(String::from).collect();
        return Err(IdError::UsccEntityType {
            code: code.to_owned(),
            authority,
            ch: entity,
            expected: expected.join(", "),
        });
    }
    let division: String = code.chars().skip(2).take(6).collect();
    if !plausible_division(&division) {
        return Err(IdError::UsccDivision {
            code: code.to_owned(),
            division,
        });
    }
    Ok(())
}

/// Validates a unified social credit code (统一社会信用代码): its alphabet, the registration
/// authority and entity type (characters 1-2), the administrative division (3-8) and the
/// GB 32100 check character; not the embedded GB 11714 organisation-code check.
pub fn validate_uscc(code: &str) -> Result<(), IdError> {
    let values = uscc_values(code, USCC_LEN)?;
    uscc_structure(code)?;
    let expected = uscc_check_from_values(&values[..USCC_LEN - 1]);
    // All 18 characters are in the ASCII alphabet, so the last char exists.
    let found = code.chars().last().unwrap_or_default();
    if found == expected {
        Ok(())
    } else {
        Err(IdError::UsccCheck {
            code: code.to_owned(),
            expected,
            found,
        })
    }
}

fn country(code: &str) -> Option<&'static (&'static str, &'static str)> {
    COUNTRIES
        .binary_search_by(|&(c, _)| c.cmp(code))
        .ok()
        .and_then(|i| COUNTRIES.get(i))
}

/// Accepts current ISO 3166-1 alpha-3 codes, upper case only, of foreign nationalities: not China,
/// nor Hong Kong, Macao or Taiwan, whose residents need no work permit since 2018.
pub fn validate_nationality(code: &str) -> Result<(), IdError> {
    match code {
        "CHN" => return Err(IdError::ChineseNationality),
        "HKG" | "MAC" | "TWN" => return Err(IdError::NoPermitSince2018(code.to_string())),
        _ => {}
    }
    match country(code) {
        Some(_) => Ok(()),
        None => Err(IdError::Nationality(excerpt(code))),
    }
}

/// ISO 3166-1 English short name, e.g. `"CHN"` -> `"China"`.
pub fn country_name(code: &str) -> Option<&'static str> {
    country(code).map(|&(_, name)| name)
}

/// A passport number as the office keeps it: surrounding spaces dropped, folded (`fold_id`).
pub fn normalize_passport(no: &str) -> String {
    fold_id(no.trim())
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31BF
        | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic()
            && matches!(u32::from(c), 0x00C0..=0x024F | 0x1E00..=0x1EFF))
        // Combining accents, for names typed in decomposed form.
        || matches!(u32::from(c), 0x0300..=0x036F)
}

/// The applicant's name as on the passport (FAQ Q5: the e-card is registered with it): Latin
/// letters, spaces, `-`, `'` and `,`.
pub fn validate_latin_name(name: &str) -> Result<(), IdError> {
    if name.chars().any(is_cjk) {
        return Err(IdError::NameInCjk {
            name: excerpt(name),
        });
    }
    match name
        .chars()
        .enumerate()
        .find(|&(_, c)| !(is_latin_letter(c) || matches!(c, ' ' | '-' | '\'' | ',')))
    {
        Some((i, ch)) => Err(IdError::NameCharacter {
            position: i + 1,
            ch,
        }),
        None => Ok(()),
    }
}

pub fn validate_passport(no: &str) -> Result<(), IdError> {
    let found = no.chars().count();
    if !(5..=20).contains(&found) {
        return Err(IdError::PassportLength { found });
    }
    match no
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
    {
        Some((i, ch)) => Err(IdError::PassportCharacter {
            position: i + 1,
            ch,
        }),
        None => Ok(()),
    }
}

/// ISO 3166-1 alpha-3 codes with their English short names, sorted by code
/// (binary-searched). Generated from Debian iso-codes 4.15.0 (`iso_3166-1.json`).
static COUNTRIES: [(&str, &str); 249] = [
    ("ABW", "Aruba"),
    ("AFG", "Afghanistan"),
    ("AGO", "Angola"),
    ("AIA", "Anguilla"),
    ("ALA", "Åland Islands"),
    ("ALB", "Albania"),
    ("AND", "Andorra"),
    ("ARE", "United Arab Emirates"),
    ("ARG", "Argentina"),
    ("ARM", "Armenia"),
    ("ASM", "American Samoa"),
    ("ATA", "Antarctica"),
    ("ATF", "French Southern Territories"),
    ("ATG", "Antigua and Barbuda"),
    ("AUS", "Australia"),
    ("AUT", "Austria"),
    ("AZE", "Azerbaijan"),
    ("BDI", "Burundi"),
    ("BEL", "Belgium"),
    ("BEN", "Benin"),
    ("BES", "Bonaire, Sint Eustatius and Saba"),
    ("BFA", "Burkina Faso"),
    ("BGD", "Bangladesh"),
    ("BGR", "Bulgaria"),
    ("BHR", "Bahrain"),
    ("BHS", "Bahamas"),
    ("BIH", "Bosnia and Herzegovina"),
    ("BLM", "Saint Barthélemy"),
    ("BLR", "Belarus"),
    ("BLZ", "Belize"),
    ("BMU", "Bermuda"),
    ("BOL", "Bolivia, Plurinational State of"),
    ("BRA", "Brazil"),
    ("BRB", "Barbados"),
    ("BRN", "Brunei Darussalam"),
    ("BTN", "Bhutan"),
    ("BVT", "Bouvet Island"),
    ("BWA", "Botswana"),
    ("CAF", "Central African Republic"),
    ("CAN", "Canada"),
    ("CCK", "Cocos (Keeling) Islands"),
    ("CHE", "Switzerland"),
    ("CHL", "Chile"),
    ("CHN", "China"),
    ("CIV", "Côte d'Ivoire"),
    ("CMR", "Cameroon"),
    ("COD", "Congo, The Democratic Republic of the"),
    ("COG", "Congo"),
    ("COK", "Cook Islands"),
    ("COL", "Colombia"),
    ("COM", "Comoros"),
    ("CPV", "Cabo Verde"),
    ("CRI", "Costa Rica"),
    ("CUB", "Cuba"),
    ("CUW", "Curaçao"),
    ("CXR", "Christmas Island"),
    ("CYM", "Cayman Islands"),
    ("CYP", "Cyprus"),
    ("CZE", "Czechia"),
    ("DEU", "Germany"),
    ("DJI", "Djibouti"),
    ("DMA", "Dominica"),
    ("DNK", "Denmark"),
    ("DOM", "Dominican Republic"),
    ("DZA", "Algeria"),
    ("ECU", "Ecuador"),
    ("EGY", "Egypt"),
    ("ERI", "Eritrea"),
    ("ESH", "Western Sahara"),
    ("ESP", "Spain"),
    ("EST", "Estonia"),
    ("ETH", "Ethiopia"),
    ("FIN", "Finland"),
    ("FJI", "Fiji"),
    ("FLK", "Falkland Islands (Malvinas)"),
    ("FRA", "France"),
    ("FRO", "Faroe Islands"),
    ("FSM", "Micronesia, Federated States of"),
    ("GAB", "Gabon"),
    ("GBR", "United Kingdom"),
    ("GEO", "Georgia"),
    ("GGY", "Guernsey"),
    ("GHA", "Ghana"),
    ("GIB", "Gibraltar"),
    ("GIN", "Guinea"),
    ("GLP", "Guadeloupe"),
    ("GMB", "Gambia"),
    ("GNB", "Guinea-Bissau"),
    ("GNQ", "Equatorial Guinea"),
    ("GRC", "Greece"),
    ("GRD", "Grenada"),
    ("GRL", "Greenland"),
    ("GTM", "Guatemala"),
    ("GUF", "French Guiana"),
    ("GUM", "Guam"),
    ("GUY", "Guyana"),
    ("HKG", "Hong Kong"),
    ("HMD", "Heard Island and McDonald Islands"),
    ("HND", "Honduras"),
    ("HRV", "Croatia"),
    ("HTI", "Haiti"),
    ("HUN", "Hungary"),
    ("IDN", "Indonesia"),
    ("IMN", "Isle of Man"),
    ("IND", "India"),
    ("IOT", "British Indian Ocean Territory"),
    ("IRL", "Ireland"),
    ("IRN", "Iran, Islamic Republic of"),
    ("IRQ", "Iraq"),
    ("ISL", "Iceland"),
    ("ISR", "Israel"),
    ("ITA", "Italy"),
    ("JAM", "Jamaica"),
    ("JEY", "Jersey"),
    ("JOR", "Jordan"),
    ("JPN", "Japan"),
    ("KAZ", "Kazakhstan"),
    ("KEN", "Kenya"),
    ("KGZ", "Kyrgyzstan"),
    ("KHM", "Cambodia"),
    ("KIR", "Kiribati"),
    ("KNA", "Saint Kitts and Nevis"),
    ("KOR", "Korea, Republic of"),
    ("KWT", "Kuwait"),
    ("LAO", "Lao People's Democratic Republic"),
    ("LBN", "Lebanon"),
    ("LBR", "Liberia"),
    ("LBY", "Libya"),
    ("LCA", "Saint Lucia"),
    ("LIE", "Liechtenstein"),
    ("LKA", "Sri Lanka"),
    ("LSO", "Lesotho"),
    ("LTU", "Lithuania"),
    ("LUX", "Luxembourg"),
    ("LVA", "Latvia"),
    ("MAC", "Macao"),
    ("MAF", "Saint Martin (French part)"),
    ("MAR", "Morocco"),
    ("MCO", "Monaco"),
    ("MDA", "Moldova, Republic of"),
    ("MDG", "Madagascar"),
    ("MDV", "Maldives"),
    ("MEX", "Mexico"),
    ("MHL", "Marshall Islands"),
    ("MKD", "North Macedonia"),
    ("MLI", "Mali"),
    ("MLT", "Malta"),
    ("MMR", "Myanmar"),
    ("MNE", "Montenegro"),
    ("MNG", "Mongolia"),
    ("MNP", "Northern Mariana Islands"),
    ("MOZ", "Mozambique"),
    ("MRT", "Mauritania"),
    ("MSR", "Montserrat"),
    ("MTQ", "Martinique"),
    ("MUS", "Mauritius"),
    ("MWI", "Malawi"),
    ("MYS", "Malaysia"),
    ("MYT", "Mayotte"),
    ("NAM", "Namibia"),
    ("NCL", "New Caledonia"),
    ("NER", "Niger"),
    ("NFK", "Norfolk Island"),
    ("NGA", "Nigeria"),
    ("NIC", "Nicaragua"),
    ("NIU", "Niue"),
    ("NLD", "Netherlands"),
    ("NOR", "Norway"),
    ("NPL", "Nepal"),
    ("NRU", "Nauru"),
    ("NZL", "New Zealand"),
    ("OMN", "Oman"),
    ("PAK", "Pakistan"),
    ("PAN", "Panama"),
    ("PCN", "Pitcairn"),
    ("PER", "Peru"),
    ("PHL", "Philippines"),
    ("PLW", "Palau"),
    ("PNG", "Papua New Guinea"),
    ("POL", "Poland"),
    ("PRI", "Puerto Rico"),
    ("PRK", "Korea, Democratic People's Republic of"),
    ("PRT", "Portugal"),
    ("PRY", "Paraguay"),
    ("PSE", "Palestine, State of"),
    ("PYF", "French Polynesia"),
    ("QAT", "Qatar"),
    ("REU", "Réunion"),
    ("ROU", "Romania"),
    ("RUS", "Russian Federation"),
    ("RWA", "Rwanda"),
    ("SAU", "Saudi Arabia"),
    ("SDN", "Sudan"),
    ("SEN", "Senegal"),
    ("SGP", "Singapore"),
    ("SGS", "South Georgia and the South Sandwich Islands"),
    ("SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SJM", "Svalbard and Jan Mayen"),
    ("SLB", "Solomon Islands"),
    ("SLE", "Sierra Leone"),
    ("SLV", "El Salvador"),
    ("SMR", "San Marino"),
    ("SOM", "Somalia"),
    ("SPM", "Saint Pierre and Miquelon"),
    ("SRB", "Serbia"),
    ("SSD", "South Sudan"),
    ("STP", "Sao Tome and Principe"),
    ("SUR", "Suriname"),
    ("SVK", "Slovakia"),
    ("SVN", "Slovenia"),
    ("SWE", "Sweden"),
    ("SWZ", "Eswatini"),
    ("SXM", "Sint Maarten (Dutch part)"),
    ("SYC", "Seychelles"),
    ("SYR", "Syrian Arab Republic"),
    ("TCA", "Turks and Caicos Islands"),
    ("TCD", "Chad"),
    ("TGO", "Togo"),
    ("THA", "Thailand"),
    ("TJK", "Tajikistan"),
    ("TKL", "Tokelau"),
    ("TKM", "Turkmenistan"),
    ("TLS", "Timor-Leste"),
    ("TON", "Tonga"),
    ("TTO", "Trinidad and Tobago"),
    ("TUN", "Tunisia"),
    ("TUR", "Türkiye"),
    ("TUV", "Tuvalu"),
    ("TWN", "Taiwan, Province of China"),
    ("TZA", "Tanzania, United Republic of"),
    ("UGA", "Uganda"),
    ("UKR", "Ukraine"),
    ("UMI", "United States Minor Outlying Islands"),
    ("URY", "Uruguay"),
    ("USA", "United States"),
    ("UZB", "Uzbekistan"),
    ("VAT", "Holy See (Vatican City State)"),
    ("VCT", "Saint Vincent and the Grenadines"),
    ("VEN", "Venezuela, Bolivarian Republic of"),
    ("VGB", "Virgin Islands, British"),
    ("VIR", "Virgin Islands, U.S."),
    ("VNM", "Viet Nam"),
    ("VUT", "Vanuatu"),
    ("WLF", "Wallis and Futuna"),
    ("WSM", "Samoa"),
    ("YEM", "Yemen"),
    ("ZAF", "South Africa"),
    ("ZMB", "Zambia"),
    ("ZWE", "Zimbabwe"),
];

#[cfg(test)]
mod tests;
