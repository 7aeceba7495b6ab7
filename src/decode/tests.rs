use super::*;

#[test]
fn empty_file_is_an_error() {
    assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
}

#[test]
fn text_is_not_a_profile() {
    let e = decode(b"hello world, this is not a profile at all\n").unwrap_err();
    assert!(matches!(e, DecodeError::NotAProfile(_)), "{e}");
    assert!(e.to_string().contains("not gzip or pprof protobuf"), "{e}");
}

#[test]
fn truncated_gzip_is_reported() {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&[7u8; 5000], 6));
    gz.extend_from_slice(&[0; 8]);
    let cut = &gz[..gz.len() - 20];
    let e = decode(cut).unwrap_err();
    assert!(matches!(e, DecodeError::TruncatedGzip(_)), "{e}");
}

#[test]
fn gzip_bomb_hits_the_cap() {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&vec![0u8; 8 << 20], 9));
    gz.extend_from_slice(&[0; 8]);
    let limits = Limits { max_bytes: 1 << 20, ..Limits::default() };
    let e = decode_with(&gz, &limits, &mut NoProgress).unwrap_err();
    assert_eq!(e, DecodeError::TooLarge { limit_mb: 1 });
    assert!(e.to_string().contains("expands beyond 1 MB"));
}

#[test]
fn common_non_profiles_are_named() {
    let e = decode(b"PK\x03\x04\x14\x00\x00\x00\x08\x00").unwrap_err();
    assert!(e.to_string().contains("zip archive"), "{e}");
    let e = decode(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj").unwrap_err();
    assert!(e.to_string().contains("PDF"), "{e}");
}

#[test]
#[cfg(feature = "reference")]
fn each_sample_gets_its_own_labels() {
    use super::pb;
    use prost::Message;
    let strings = ["", "bytes", "handler", "/api", "x", "f"].map(|s| s.as_bytes().to_vec()).to_vec();
    let l = |key: i64, str: i64, num: i64| pb::Label { key, str, num, num_unit: 0 };
    let sets = [vec![l(1, 0, 64)], vec![l(2, 3, 0)], vec![], vec![l(1, 0, 64)], vec![l(1, 0, 32), l(2, 4, 0)], vec![l(2, 3, 0)]];
    let pb = pb::Profile {
        sample_type: vec![pb::ValueType { r#type: 1, unit: 1 }],
        sample: sets.iter().map(|ls| pb::Sample { location_id: vec![1], value: vec![1], label: ls.clone() }).collect(),
        location: vec![pb::Location {
            id: 1,
            line: vec![pb::Line { function_id: 1, line: 1, ..Default::default() }],
            ..Default::default()
        }],
        function: vec![pb::Function { id: 1, name: 5, ..Default::default() }],
        string_table: strings,
        ..Default::default()
    };
    let p = decode(&pb.encode_to_vec()).unwrap();
    let shown: Vec<String> = p
        .sample_labels
        .iter()
        .map(|&set| {
            p.label_sets.sets[set as usize]
                .iter()
                .map(|l| format!("{}={}{}", l.key, l.str.clone().unwrap_or_default(), l.num))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(shown, ["bytes=64", "handler=/api0", "", "bytes=64", "bytes=32,handler=x0", "handler=/api0"]);
    assert_eq!(p.label_sets.sets.len(), 4, "the empty set and three others");
}
