//! Links and embedding in the reducer: profiles by URL (`#url=`), fetched once each, the
//! page's own link naming them again, dropped files named as needed, embed mode following the
//! hash (`view::share`, `AppState::link`). The numbers are the fixture's own (ids in load order).

use profdrop::model::{ProfileKind, ValueType};
use profdrop::protocol::{Refine, Request, Stage, Summary};
use profdrop::view::hash;
use profdrop::view::share::urls;
use profdrop::view::state::{reduce, Action, AppState, Command, View};

fn summary(id: u32, name: &str) -> Summary {
    Summary {
        id,
        name: name.into(),
        sample_types: vec![
            ValueType { name: "alloc_space".into(), unit: "bytes".into() },
            ValueType { name: "inuse_space".into(), unit: "bytes".into() },
        ],
        default_sample_type: 1,
        time_nanos: id as i64,
        duration_nanos: 0,
        period: 0,
        period_type: None,
        samples: 1,
        functions: 1,
        format: String::new(),
        kind: ProfileKind::Heap,
        comments: vec![],
        bytes: 0,
        fingerprint: Default::default(),
    }
}

fn fetches(s: &AppState) -> Vec<(u32, String, String)> {
    s.outbox
        .iter()
        .filter_map(|c| match c {
            Command::Fetch { id, url, file_name, .. } => Some((*id, url.clone(), file_name.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_link_fetches_its_profiles_then_applies_its_view() {
    let s = reduce(AppState::default(), Action::Url("#url=../runbooks/heap.pb.gz&view=flame&si=alloc_space&f=leaky".into()));
    assert_eq!(fetches(&s), [(1, "../runbooks/heap.pb.gz".to_string(), "heap.pb.gz".to_string())]);
    assert_eq!(s.loading.len(), 1);
    assert_eq!(s.loading[0].stage, Stage::Downloading);
    assert!(s.url_notes.is_empty(), "{:?}", s.url_notes);
    // The downloaded file is read as a dropped one; the view applies once it has loaded.
    let s = reduce(s, Action::Loaded(summary(1, "heap.pb.gz")));
    assert_eq!(s.view, View::Flame);
    assert_eq!(s.sample_type, "alloc_space");
    assert_eq!(s.refine, Refine { focus: "leaky".into(), ..Refine::default() });
    // The page's own link names the profile again, first.
    assert_eq!(s.link(false), "url=../runbooks/heap.pb.gz&view=flame&si=alloc_space&f=leaky");
    assert_eq!(s.link(true), "url=../runbooks/heap.pb.gz&view=flame&si=alloc_space&f=leaky&embed=1");
    assert!(s.unlinked().is_empty());
}

#[test]
fn a_link_naming_another_sample_type_does_not_wait_for_the_early_table() {
    // The early table (a preview's) is of the default sample type, inuse_space; the link
    // asks for alloc_space, whose table must be asked for, not awaited.
    let s = reduce(AppState::default(), Action::Url("#url=heap.pb.gz&view=top&si=alloc_space".into()));
    let s = reduce(s, Action::Preview(summary(1, "heap.pb.gz")));
    assert_eq!(s.sample_type, "alloc_space");
    assert_eq!(s.top_coming, None);
    // With the default sample type, the early table is awaited.
    let s = reduce(AppState::default(), Action::Url("#url=heap.pb.gz&view=top&si=inuse_space".into()));
    let s = reduce(s, Action::Preview(summary(1, "heap.pb.gz")));
    assert!(matches!(&s.top_coming, Some(Request::Top { sample_type, .. }) if sample_type == "inuse_space"), "{:?}", s.top_coming);
}

#[test]
fn a_profile_already_loaded_is_not_fetched_again_and_one_no_longer_named_goes() {
    let mut s = reduce(AppState::default(), Action::Url("#url=a.pb.gz,b.pb.gz".into()));
    assert_eq!(fetches(&s).len(), 2);
    s = reduce(s, Action::Loaded(summary(1, "a.pb.gz")));
    s = reduce(s, Action::Loaded(summary(2, "b.pb.gz")));
    let end = s.outbox_end();
    s = reduce(s, Action::Sent(end));
    // The page's own link read back (back, forward): nothing to do.
    let own = s.link(false);
    let again = reduce(s.clone(), Action::Url(format!("#{own}")));
    assert!(again.outbox.is_empty(), "{:?}", again.outbox);
    assert_eq!(again.entries.len(), 2);
    // A link naming only b and c: a goes, c is fetched, b stays.
    s = reduce(s, Action::Url("#url=b.pb.gz&url=c.pb.gz".into()));
    assert_eq!(
        s.outbox,
        vec![Command::Remove { id: 1 }, Command::Fetch { id: 3, url: "c.pb.gz".into(), file_name: "c.pb.gz".into(), preview: true }]
    );
    assert_eq!(s.entries.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(), ["b.pb.gz"]);
    // A link without url= leaves the profiles as they are.
    let n = s.outbox.len();
    s = reduce(s, Action::Url("#view=top".into()));
    assert_eq!(s.outbox.len(), n);
    assert_eq!(s.loading.len(), 1);
}

#[test]
fn dropped_files_are_not_in_the_link_and_are_named_as_needed() {
    let mut s = reduce(AppState::default(), Action::Open(vec!["mine.pb.gz".into()]));
    s = reduce(s, Action::OpenUrls(vec!["examples/heap.pb.gz".into()]));
    s = reduce(s, Action::Loaded(summary(1, "mine.pb.gz")));
    s = reduce(s, Action::Loaded(summary(2, "heap.pb.gz")));
    assert!(s.link(false).starts_with("url=examples/heap.pb.gz&view=top"), "{}", s.link(false));
    assert_eq!(s.unlinked(), ["mine.pb.gz"]);
    // Removed, a profile by URL leaves the link.
    s = reduce(s, Action::Remove(2));
    assert!(s.link(false).starts_with("view=top"), "{}", s.link(false));
    // Opened again by URL: the same name (the first is gone), fetched again.
    s = reduce(s, Action::OpenUrls(vec!["examples/heap.pb.gz".into()]));
    assert_eq!(fetches(&s).last().map(|f| f.0), Some(3));
}

#[test]
fn a_failed_or_cancelled_download_leaves_the_link() {
    let mut s = reduce(AppState::default(), Action::Url("#url=missing.pb.gz&url=slow.pb.gz".into()));
    s = reduce(s, Action::LoadFailed(1, "the server answered 404 Not Found".into()));
    assert_eq!(s.errors, ["missing.pb.gz: the server answered 404 Not Found"]);
    s = reduce(s, Action::Cancel);
    assert!(s.loading.is_empty());
    assert!(s.outbox.contains(&Command::Cancel { ids: vec![2] }));
    assert_eq!(s.link(false), "view=top");
    // The same link followed again fetches both again.
    s = reduce(s, Action::Url("#url=missing.pb.gz&url=slow.pb.gz".into()));
    assert_eq!(fetches(&s).iter().map(|f| f.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
}

#[test]
fn commas_and_ampersands_in_urls_survive_the_link() {
    let mut s = reduce(AppState::default(), Action::OpenUrls(vec!["p/a,b.pb.gz?x=1&y=2".into()]));
    s = reduce(s, Action::Loaded(summary(1, "a,b.pb.gz")));
    let link = s.link(false);
    assert!(link.starts_with("url=p/a%2Cb.pb.gz%3Fx%3D1%26y%3D2&"), "{link}");
    assert_eq!(urls(&link), ["p/a,b.pb.gz?x=1&y=2"]);
    // The view part reads as it did (the url key is not a problem for it).
    assert_eq!(hash::parse(&link).1, vec![]);
}

#[test]
fn embed_mode_follows_the_hash() {
    let s = reduce(AppState::default(), Action::Url("#embed=1&url=x.pb.gz&view=flame".into()));
    assert!(s.embed);
    assert_eq!(s.url_notes, Vec::<String>::new());
    let s = reduce(s, Action::Url("#url=x.pb.gz&view=flame".into()));
    assert!(!s.embed);
}

#[test]
fn a_link_shows_the_profile_it_names_whichever_arrives_last() {
    let mut s = reduce(AppState::default(), Action::Url("#url=a.pb.gz,b.pb.gz&view=top&si=alloc_space&sel=a.pb.gz".into()));
    s = reduce(s, Action::Loaded(summary(1, "a.pb.gz")));
    s = reduce(s, Action::Loaded(summary(2, "b.pb.gz")));
    assert_eq!(s.selected, Some(1), "a.pb.gz is shown, though b.pb.gz came last");
    assert_eq!(s.sample_type, "alloc_space");
    assert_eq!(s.link(false), "url=a.pb.gz&url=b.pb.gz&view=top&si=alloc_space&sel=a.pb.gz");
    // Another profile picked: the link says so; one profile alone needs no `sel`.
    s = reduce(s, Action::Select(2));
    assert!(s.link(false).ends_with("&sel=b.pb.gz"), "{}", s.link(false));
    s = reduce(s, Action::Remove(1));
    assert!(!s.link(false).contains("sel="), "{}", s.link(false));
    // A name not loaded is said, once the loads are done.
    let s = reduce(s, Action::Url("#view=top&sel=zz.pb.gz".into()));
    assert_eq!(s.selected, Some(2));
    assert!(s.url_notes.iter().any(|n| n.contains("`sel`") && n.contains("zz.pb.gz")), "{:?}", s.url_notes);
}
