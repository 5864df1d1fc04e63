//! The publisher downloader against a small HTTP server on 127.0.0.1 whose answers each
//! test scripts: retries and `Retry-After`, redirects, conditional requests, resuming.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drydock_vulndb::fetch::{FetchError, Fetcher, Outcome, Validators};

/// A scripted answer: status line and headers, body, and how many body bytes to send
/// before hanging up (all when `None`).
struct Answer {
    head: String,
    body: Vec<u8>,
    cut: Option<usize>,
}

fn answer(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    Answer {
        head,
        body: body.to_vec(),
        cut: None,
    }
}

type Seen = Arc<Mutex<Vec<HashMap<String, String>>>>;

/// Serves requests with `script(n, request headers)`; returns the base URL and the
/// headers of every request (the request target under the key `:path`).
fn serve<F>(script: F) -> (String, Seen)
where
    F: Fn(usize, &HashMap<String, String>) -> Answer + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let Some(headers) = read_request(&stream) else {
                continue;
            };
            let reply = script(n, &headers);
            log.lock().unwrap().push(headers);
            let mut out = stream;
            let body = &reply.body[..reply.cut.unwrap_or(reply.body.len())];
            let _ = out.write_all(format!("{}\r\n", reply.head).as_bytes());
            let _ = out.write_all(body);
            let _ = out.flush();
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
    });
    (url, seen)
}

fn read_request(stream: &TcpStream) -> Option<HashMap<String, String>> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = HashMap::new();
    headers.insert(
        ":path".to_string(),
        line.split_whitespace().nth(1)?.to_string(),
    );
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    Some(headers)
}

#[test]
fn retry_after_is_honoured() {
    let (url, seen) = serve(|n, _| match n {
        0 => answer("429 Too Many Requests", &[("Retry-After", "1")], b""),
        _ => answer("200 OK", &[("ETag", "\"v1\"")], b"hello"),
    });
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("f.part");
    let started = Instant::now();
    let outcome = Fetcher::new()
        .fetch(&format!("{url}/f"), None, &part, 1 << 20)
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(
        outcome,
        Outcome::Downloaded {
            validators: Validators {
                etag: Some("\"v1\"".into()),
                last_modified: None
            },
            resumed: false
        }
    );
    assert_eq!(std::fs::read(&part).unwrap(), b"hello");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn server_errors_give_up_after_the_retries() {
    let (url, seen) = serve(|_, _| answer("503 Service Unavailable", &[], b""));
    let dir = tempfile::tempdir().unwrap();
    let err = Fetcher::new()
        .fetch(
            &format!("{url}/f"),
            None,
            &dir.path().join("f.part"),
            1 << 20,
        )
        .unwrap_err();
    assert!(matches!(err, FetchError::Status(503)), "{err}");
    assert_eq!(
        seen.lock().unwrap().len(),
        4,
        "one request and three retries"
    );
}

#[test]
fn redirects_are_followed_and_bounded() {
    let (url, seen) = serve(|_, h| match h[":path"].as_str() {
        "/old/f" => answer("301 Moved Permanently", &[("Location", "../new/f")], b""),
        "/new/f" => answer("200 OK", &[], b"moved"),
        _ => answer("302 Found", &[("Location", "/loop")], b""),
    });
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("f.part");
    let fetcher = Fetcher::new();
    fetcher
        .fetch(&format!("{url}/old/f"), None, &part, 1 << 20)
        .unwrap();
    assert_eq!(std::fs::read(&part).unwrap(), b"moved");
    let err = fetcher
        .fetch(&format!("{url}/loop"), None, &part, 1 << 20)
        .unwrap_err();
    assert!(matches!(err, FetchError::Redirects), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 2 + 6);
}

#[test]
fn unchanged_files_cost_a_304() {
    let (url, seen) = serve(|_, h| {
        if h.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
            answer("304 Not Modified", &[], b"")
        } else {
            answer("200 OK", &[("ETag", "\"v2\"")], b"new")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("f.part");
    let current = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Tue, 01 Sep 2026 00:00:00 GMT".into()),
    };
    let outcome = Fetcher::new()
        .fetch(&format!("{url}/f"), Some(&current), &part, 1 << 20)
        .unwrap();
    assert_eq!(outcome, Outcome::NotModified);
    assert!(!part.exists());
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0]["if-modified-since"],
        "Tue, 01 Sep 2026 00:00:00 GMT"
    );
}

#[test]
fn a_cut_off_download_resumes_or_restarts_cleanly() {
    let body: Vec<u8> = (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let full = body.clone();
    // First answer cut off halfway; then a 206 for the rest.
    let (url, seen) = serve(move |n, h| {
        let mut a = answer("200 OK", &[("ETag", "\"big\"")], &full);
        match (n, h.get("range")) {
            (0, _) => a.cut = Some(full.len() / 2),
            (_, Some(range)) => {
                let start: usize = range["bytes=".len()..]
                    .trim_end_matches('-')
                    .parse()
                    .unwrap();
                let cr = format!("bytes {start}-{}/{}", full.len() - 1, full.len());
                a = answer(
                    "206 Partial Content",
                    &[("ETag", "\"big\""), ("Content-Range", &cr)],
                    &full[start..],
                );
            }
            _ => {}
        }
        a
    });
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("f.part");
    let outcome = Fetcher::new()
        .fetch(&format!("{url}/f"), None, &part, 1 << 20)
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Downloaded { resumed: true, .. }),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read(&part).unwrap(), body);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[1]["range"], format!("bytes={}-", body.len() / 2));
        assert_eq!(seen[1]["if-range"], "\"big\"");
    }

    // A server that ignores Range: the partial bytes are dropped, the file starts over.
    let full = body.clone();
    let (url, seen) = serve(move |n, _| {
        let mut a = answer("200 OK", &[("ETag", "\"big\"")], &full);
        if n == 0 {
            a.cut = Some(1000);
        }
        a
    });
    let part = dir.path().join("g.part");
    let outcome = Fetcher::new()
        .fetch(&format!("{url}/g"), None, &part, 1 << 20)
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Downloaded { resumed: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read(&part).unwrap(), body);
    assert!(seen.lock().unwrap()[1].contains_key("range"));
}

#[test]
fn a_new_version_is_never_spliced_onto_old_bytes() {
    // The first answer (version 1) is cut off; the server then changed the file, ignores
    // If-Range and sends the new version's tail as a 206, then the whole new file.
    let old: Vec<u8> = vec![b'a'; 8000];
    let new: Vec<u8> = vec![b'b'; 8000];
    let (url, seen) = serve(move |n, h| match (n, h.get("range")) {
        (0, _) => {
            let mut a = answer("200 OK", &[("ETag", "\"v1\"")], &old);
            a.cut = Some(4000);
            a
        }
        (_, Some(range)) => {
            let start: usize = range["bytes=".len()..]
                .trim_end_matches('-')
                .parse()
                .unwrap();
            let cr = format!("bytes {start}-{}/{}", new.len() - 1, new.len());
            answer(
                "206 Partial Content",
                &[("ETag", "\"v2\""), ("Content-Range", &cr)],
                &new[start..],
            )
        }
        _ => answer("200 OK", &[("ETag", "\"v2\"")], &new),
    });
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("f.part");
    let outcome = Fetcher::new()
        .fetch(&format!("{url}/f"), None, &part, 1 << 20)
        .unwrap();
    assert!(
        matches!(outcome, Outcome::Downloaded { resumed: false, .. }),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read(&part).unwrap(), vec![b'b'; 8000]);
    assert!(seen.lock().unwrap().len() >= 3);
}
