//! Identifier validation: unified social credit codes (GB 32100-2015),
//! ISO 3166-1 alpha-3 nationalities and passport numbers. Pure functions, no I/O.
//!
//! Validators do not normalise: callers trim and upper-case input first if
//! they want to be lenient.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
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
    #[error("nationality {0:?} is not an ISO 3166-1 alpha-3 code")]
    Nationality(String),
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

/// Validates a unified social credit code (统一社会信用代码). Only the GB 32100
/// check character is verified, not the embedded GB 11714 organisation-code check.
pub fn validate_uscc(code: &str) -> Result<(), IdError> {
    let values = uscc_values(code, USCC_LEN)?;
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

/// Accepts current ISO 3166-1 alpha-3 codes, upper case only.
pub fn validate_nationality(code: &str) -> Result<(), IdError> {
    match country(code) {
        Some(_) => Ok(()),
        None => Err(IdError::Nationality(excerpt(code))),
    }
}

/// ISO 3166-1 English short name, e.g. `"CHN"` -> `"China"`.
pub fn country_name(code: &str) -> Option<&'static str> {
    country(code).map(|&(_, name)| name)
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
mod tests {
    use super::*;

    /// Appends the computed check character to a 17-character prefix.
    fn complete(first17: &str) -> String {
        let check = uscc_check_char(first17).expect("valid prefix");
        format!("{first17}{check}")
    }

    #[test]
    fn spec_example_validates() {
        assert_eq!(uscc_check_char("91440101MA5CQ7H2X"), Ok('C'));
        assert_eq!(validate_uscc("91440101MA5CQ7H2XC"), Ok(()));
    }

    #[test]
    fn known_check_characters() {
        // Codes commonly cited as real-world examples.
        assert_eq!(uscc_check_char("91350100M000100Y4"), Ok('3'));
        assert_eq!(validate_uscc("91350100M000100Y43"), Ok(()));
        assert_eq!(uscc_check_char("91110108551385082"), Ok('Q'));
        assert_eq!(validate_uscc("91110108551385082Q"), Ok(()));
    }

    #[test]
    fn constructed_codes_round_trip() {
        for prefix in [
            "00000000000000000",
            "YYYYYYYYYYYYYYYYY",
            "12345678901234567",
            "91310000MA1FL3L11",
            "11100000000013127",
            "52440300MJL17525X",
            "93210102ABCDEFGHJ",
            "Y1KLMNPQRTUWXY000",
        ] {
            let code = complete(prefix);
            assert_eq!(validate_uscc(&code), Ok(()), "{code}");
        }
        // Every possible check value is reachable: vary the last position.
        let mut seen = std::collections::BTreeSet::new();
        for &b in USCC_ALPHABET {
            let prefix = format!("9144010100000000{}", char::from(b));
            let code = complete(&prefix);
            assert_eq!(validate_uscc(&code), Ok(()));
            seen.insert(code.chars().last());
        }
        assert_eq!(seen.len(), 31);
    }

    #[test]
    fn wrong_check_character_names_expected_and_found() {
        let err = validate_uscc("91440101MA5CQ7H2XD").unwrap_err();
        assert_eq!(
            err,
            IdError::UsccCheck {
                code: "91440101MA5CQ7H2XD".into(),
                expected: 'C',
                found: 'D',
            }
        );
        assert_eq!(
            err.to_string(),
            "unified social credit code 91440101MA5CQ7H2XD: check character should be C, found D"
        );
        // Every other alphabet character in the check position is rejected.
        for &b in USCC_ALPHABET.iter().filter(|&&b| b != b'C') {
            let code = format!("91440101MA5CQ7H2X{}", char::from(b));
            assert!(matches!(
                validate_uscc(&code),
                Err(IdError::UsccCheck { expected: 'C', .. })
            ));
        }
    }

    #[test]
    fn excluded_letters_rejected() {
        let valid = "91440101MA5CQ7H2XC";
        for bad in ['I', 'O', 'S', 'V', 'Z'] {
            for pos in [0, 9, 17] {
                let code: String = valid
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i == pos { bad } else { c })
                    .collect();
                let err = validate_uscc(&code).unwrap_err();
                assert_eq!(
                    err,
                    IdError::UsccCharacter {
                        code: code.clone(),
                        expected: 18,
                        position: pos + 1,
                        ch: bad,
                    }
                );
                assert!(
                    err.to_string()
                        .contains("must be 18 characters from 0-9 A-H J-N P-R T-U W-Y"),
                    "{err}"
                );
            }
            assert!(uscc_check_char(&format!("9144010100000000{bad}")).is_err());
        }
    }

    #[test]
    fn other_bad_characters_rejected() {
        for code in [
            "91440101ma5cq7h2xc",
            "91440101MA5CQ7H2X-",
            "91440101MA5CQ7H2X ",
            "91440101MA5CQ7H2X中",
            "９1440101MA5CQ7H2XC",
        ] {
            assert!(
                matches!(validate_uscc(code), Err(IdError::UsccCharacter { .. })),
                "{code}"
            );
        }
    }

    #[test]
    fn wrong_length_rejected() {
        for code in ["", "9144010", "91440101MA5CQ7H2X", "91440101MA5CQ7H2XCC"] {
            let err = validate_uscc(code).unwrap_err();
            assert!(
                matches!(err, IdError::UsccLength { expected: 18, found, .. } if found == code.len()),
                "{code}: {err:?}"
            );
            assert!(err.to_string().contains("must be 18 characters"));
        }
        assert!(matches!(
            uscc_check_char("91440101MA5CQ7H2XC"),
            Err(IdError::UsccLength {
                expected: 17,
                found: 18,
                ..
            })
        ));
        // Length is counted in characters, and long input is cut in the message.
        let long = "中".repeat(1000);
        let err = validate_uscc(&long).unwrap_err();
        assert!(matches!(err, IdError::UsccLength { found: 1000, .. }));
        assert!(err.to_string().len() < 300);
    }

    #[test]
    fn table_is_sorted_complete_and_well_formed() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, name) in COUNTRIES {
            assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn nationality() {
        for code in [
            "CHN", "USA", "GBR", "DEU", "JPN", "KOR", "PRK", "HKG", "MAC", "TWN", "ABW", "ZWE",
        ] {
            assert_eq!(validate_nationality(code), Ok(()), "{code}");
        }
        // Two-letter, lower case, padded, withdrawn (Netherlands Antilles,
        // Yugoslavia), user-assigned (Kosovo's XKX, UN's UNO) and passport-only
        // (German "D") codes are not current ISO 3166-1 alpha-3.
        for code in [
            "", "XX", "CN", "chn", "Chn", " CHN", "CHN ", "CHNA", "ANT", "YUG", "XKX", "UNO", "D",
            "中国",
        ] {
            assert_eq!(
                validate_nationality(code),
                Err(IdError::Nationality(code.into())),
                "{code}"
            );
        }
        assert_eq!(
            validate_nationality("XX").unwrap_err().to_string(),
            "nationality \"XX\" is not an ISO 3166-1 alpha-3 code"
        );
    }

    #[test]
    fn country_names() {
        assert_eq!(country_name("CHN"), Some("China"));
        assert_eq!(country_name("FRA"), Some("France"));
        assert_eq!(country_name("CIV"), Some("Côte d'Ivoire"));
        assert_eq!(country_name("ABW"), Some("Aruba"));
        assert_eq!(country_name("ZWE"), Some("Zimbabwe"));
        assert_eq!(country_name("chn"), None);
        assert_eq!(country_name("XXX"), None);
    }

    #[test]
    fn passport_valid() {
        for no in [
            "E12345678",
            "G1234567",
            "A1234",
            "ABCDE",
            "12345",
            "12345678901234567890",
            "X00000000",
        ] {
            assert_eq!(validate_passport(no), Ok(()), "{no}");
        }
    }

    #[test]
    fn passport_invalid() {
        for (no, len) in [("", 0), ("A123", 4), ("123456789012345678901", 21)] {
            assert_eq!(
                validate_passport(no),
                Err(IdError::PassportLength { found: len })
            );
        }
        assert_eq!(
            validate_passport("").unwrap_err().to_string(),
            "passport number must be 5-20 letters or digits, found 0 characters"
        );
        for (no, position, ch) in [
            ("e12345678", 1, 'e'),
            ("E1234 5678", 6, ' '),
            ("E1234-5678", 6, '-'),
            ("E12345678\n", 10, '\n'),
            ("E１２３４５", 2, '１'),
            ("护照12345", 1, '护'),
        ] {
            let err = validate_passport(no).unwrap_err();
            assert_eq!(err, IdError::PassportCharacter { position, ch }, "{no}");
            assert!(
                err.to_string()
                    .starts_with("passport number must be 5-20 letters or digits")
            );
        }
    }
}
