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
        "12345678901234567",
        "91310000MA1FL3L11",
        "11100000000013127",
        "52440300MJL17525X",
        "93210102ABCDEFGHJ",
        "Y1650000RTUWXY000",
        "N2820000KLMNPQ000",
        "A1110000000000000",
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
    for code in ["USA", "GBR", "DEU", "JPN", "KOR", "PRK", "ABW", "ZWE"] {
        assert_eq!(validate_nationality(code), Ok(()), "{code}");
    }
    // Not foreigners (issue 15): China, and Hong Kong, Macao and Taiwan since 2018.
    assert_eq!(
        validate_nationality("CHN"),
        Err(IdError::ChineseNationality)
    );
    for code in ["HKG", "MAC", "TWN"] {
        assert_eq!(
            validate_nationality(code),
            Err(IdError::NoPermitSince2018(code.into())),
            "{code}"
        );
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

#[test]
fn the_structure_of_gb_32100_is_checked() {
    // Accepted today by the alphabet and the check character alone (issue 15).
    let err = validate_uscc("6Y5U59AY6HWML65YY0").unwrap_err();
    assert!(
        matches!(
            err,
            IdError::UsccEntityType {
                authority: '6',
                ch: 'Y',
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("defines 1, 2, 9 there"), "{err}");
    for (prefix, wanted) in [
        // Authority: B, 0 and Z are not registration authorities (Z is not even in the alphabet).
        ("B1440101MA5CQ7H2X", "authority"),
        ("01440101MA5CQ7H2X", "authority"),
        // Entity type: 工商 (9) defines 1-3; Y (other) only 1.
        ("94440101MA5CQ7H2X", "type"),
        ("99440101MA5CQ7H2X", "type"),
        ("Y2440101MA5CQ7H2X", "type"),
        ("21440101MA5CQ7H2X", "ok"),
        // Division: six digits with a province prefix, or 100000.
        ("915U59AY6HWML65YY", "division"),
        ("91000000MA5CQ7H2X", "division"),
        ("91990101MA5CQ7H2X", "division"),
        ("91164401MA5CQ7H2X", "division"),
        ("91910000MA5CQ7H2X", "division"),
        ("91110000MA5CQ7H2X", "ok"),
        ("91820000MA5CQ7H2X", "ok"),
        ("12100000400000916", "ok"),
    ] {
        let code = complete(prefix);
        let got = match validate_uscc(&code) {
            Ok(()) => "ok",
            Err(IdError::UsccAuthority { .. }) => "authority",
            Err(IdError::UsccEntityType { .. }) => "type",
            Err(IdError::UsccDivision { .. }) => "division",
            Err(other) => panic!("{code}: {other}"),
        };
        assert_eq!(got, wanted, "{code}");
    }
    let err = validate_uscc(&complete("91990101MA5CQ7H2X")).unwrap_err();
    assert!(
        err.to_string().contains("characters 3-8 (\"990101\")"),
        "{err}"
    );
}
