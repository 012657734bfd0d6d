//! The history viewer (`audit-axum`'s `/history/` pages) in Debian's headless Chromium, driven
//! through WebDriver (chromedriver) with fantoccini, against the aquamind example served on
//! 127.0.0.1, on SQLite and PostgreSQL. The browser runs in the Europe/Oslo time zone, so that
//! the pages' dates are seen converted from UTC. Each test saves screenshots of its pages under
//! `target/viewer-screenshots/`.
//!
//! The tests need `chromium` and `chromium-driver` (`apt-get install chromium chromium-driver`;
//! `CHROMEDRIVER` and `CHROMIUM` name other binaries). Without them they fail.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use audit_diesel::{Historical, HistoryRecord, HistoryType};
use audit_examples::aquamind::batch::Batch;
use chrono::{DateTime, Utc};
use common::server::Server;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The browser's time zone: UTC+1 on the played day (2026-03-03).
const ZONE: &str = "Europe/Oslo";
const ZONE_OFFSET_HOURS: i64 = 1;

/// A chromedriver and a headless Chromium session, until dropped.
struct Browser {
    client: Client,
    driver: Child,
    shots: PathBuf,
    prefix: String,
}

impl Drop for Browser {
    /// Kills chromedriver's process group, Chromium's processes with it: a test that fails
    /// before closing its session leaves no browser behind.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts chromedriver on a port of its choosing and opens a session; screenshots are named
    /// `<prefix>-<page>.png`.
    async fn start(prefix: &str) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut driver = Command::new(&driver_path)
            .arg("--port=0")
            // Its own process group, which Chromium joins: `Drop` kills them together.
            .process_group(0)
            .env("TZ", ZONE)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the browser tests need chromedriver at {driver_path} \
                     (apt-get install chromium chromium-driver): {e}"
                )
            });
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split("started successfully on port ")
                    .nth(1)
                    .map(|p| p.trim_end_matches('.').trim().to_owned())
            })
            .expect("chromedriver says its port");
        // Keep reading what it prints, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", "--lang=en-GB", "--no-first-run",
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .join("viewer-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            client,
            driver,
            shots,
            prefix: prefix.to_owned(),
        }
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Saves a screenshot of the page as `<prefix>-<name>.png`.
    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{}-{name}.png", self.prefix)), png).unwrap();
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
    }

    async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            let text = element.text().await.unwrap();
            out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        out
    }

    async fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(element.attr(attr).await.unwrap().unwrap_or_default());
        }
        out
    }

    /// Clicks `css` and waits until the browser is on a page whose path starts with `path`.
    async fn click_to(&self, css: &str, path: &str) {
        // The page the click leaves: a target that is a prefix of its path (a confirmation page
        // under the listing it returns to) must not count as arrived before the browser moved.
        let before = self.client.current_url().await.ok().map(|u| u.to_string());
        self.find(css).await.click().await.unwrap();
        self.wait_for_path_from(path, before).await;
    }

    async fn wait_for_path(&self, path: &str) {
        self.wait_for_path_from(path, None).await;
    }

    async fn wait_for_path_from(&self, path: &str, before: Option<String>) {
        for _ in 0..300 {
            if let Ok(url) = self.client.current_url().await {
                if url.path().starts_with(path) && before.as_deref() != Some(url.as_str()) {
                    // The new document has loaded once its main is there.
                    self.find("main h1").await;
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.client.current_url().await.unwrap();
        panic!("the browser is on {url}, not on {path}");
    }

    async fn path_and_query(&self) -> (String, String) {
        let url = self.client.current_url().await.unwrap();
        (url.path().to_owned(), url.query().unwrap_or("").to_owned())
    }

    /// Logs in at the login page with `token`, coming from `path`.
    async fn log_in(&self, base: &str, path: &str, token: &str) {
        self.goto(&format!("{base}{path}")).await;
        self.wait_for_path("/history/login").await;
        let field = self.find("#token").await;
        field.send_keys(token).await.unwrap();
        self.click_to("form.login button[type=submit]", path).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }
}

/// Runs `test` on a fresh server and browser, on a runtime of its own.
fn with_browser<F>(server: Server, prefix: &str, test: F)
where
    F: AsyncFnOnce(Server, &Browser),
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let browser = Browser::start(prefix).await;
        test(server, &browser).await;
        browser.client.clone().close().await.unwrap();
    });
}

/// The history ids of the rows of a listing, from their links to the timeline.
async fn listed_ids(b: &Browser) -> Vec<String> {
    b.attrs("table.history tbody td:nth-child(3) a", "href")
        .await
        .into_iter()
        .map(|href| href.rsplit_once("#h").unwrap().1.to_owned())
        .collect()
}

/// `at` as the browser's date-time input holds it, in the browser's zone.
fn local_input(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(ZONE_OFFSET_HOURS))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// An admin logs in, reads the models, pages and filters a model's history, opens a batch's
/// timeline and its diffs, looks at the batch as of mid-morning, opens the transfer's
/// changeset, and reverts one record.
async fn an_admin_reads_and_reverts(mut s: Server, b: &Browser) {
    let base = format!("http://{}", s.addr);
    let admin = s.staff.token("admin").unwrap().to_owned();

    // Logging in: a wrong token is refused, the admin's lands on the page first asked for.
    b.goto(&format!("{base}/history/batch/")).await;
    b.wait_for_path("/history/login").await;
    b.find("#token")
        .await
        .send_keys("not-a-token")
        .await
        .unwrap();
    b.find("form.login button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let error = b.find("#login-error").await.text().await.unwrap();
    assert!(error.contains("names no one"), "{error}");
    b.shot("login").await;
    b.log_in(&base, "/history/batch/", &admin).await;

    // Models: all 22 for the admin, each with its rows and history rows.
    b.click_to("header nav a[href='/history/']", "/history/")
        .await;
    let models = b.texts("main tbody th[scope=row] a").await;
    assert_eq!(models.len(), 22, "{models:?}");
    assert!(models.contains(&"AuditedUser".to_owned()));
    let batch_row = b
        .texts("main tbody tr")
        .await
        .into_iter()
        .find(|r| r.starts_with("Batch "))
        .unwrap();
    let all = Batch::history_query()
        .page_size(1000)
        .load(&mut s.conn)
        .unwrap()
        .items;
    let live: i64 = {
        use audit_examples::aquamind::schema::batches;
        use diesel::prelude::*;
        batches::table.count().get_result(&mut s.conn).unwrap()
    };
    assert!(
        batch_row.ends_with(&format!("{live} {}", all.len())),
        "{batch_row}: {live} rows, {} history rows",
        all.len()
    );
    b.shot("models").await;

    // A model's history: newest first, ten to a page, then the next page.
    b.click_to("main a[href='/history/batch/']", "/history/batch/")
        .await;
    b.find("#page_size")
        .await
        .select_by_value("10")
        .await
        .unwrap();
    b.click_to("form.filters button[type=submit]", "/history/batch/")
        .await;
    let expected: Vec<String> = all.iter().map(|r| r.history_id.to_string()).collect();
    assert!(expected.len() > 10, "three days hold more than a page");
    assert_eq!(listed_ids(b).await, expected[..10]);
    let changes = b.texts("table.history tbody td:nth-child(6)").await;
    assert_eq!(changes.len(), 10);
    for (record, shown) in all.iter().zip(&changes) {
        if record.history_type == HistoryType::Update {
            let previous = record.previous(&mut s.conn).unwrap().unwrap();
            let fields = record.diff_against(&previous).unwrap();
            for field in fields.changed_fields() {
                assert!(shown.contains(field), "{shown} names {field}");
            }
        }
    }
    b.shot("history").await;
    b.click_to("nav.pager a[rel=next]", "/history/batch/").await;
    assert!(b.path_and_query().await.1.contains("page=2"));
    assert_eq!(listed_ids(b).await, expected[10..expected.len().min(20)]);
    let pager = b.find("nav.pager .where").await.text().await.unwrap();
    assert_eq!(
        pager,
        format!(
            "Page 2 of {} · {} rows",
            expected.len().div_ceil(10),
            expected.len()
        )
    );
    b.shot("history-page-2").await;

    // Filtered by the operator: only their rows.
    let operator = s.day.operator;
    b.click_to("a[href='/history/batch/']", "/history/batch/")
        .await;
    b.find("#history_user")
        .await
        .send_keys(&operator.to_string())
        .await
        .unwrap();
    b.click_to("form.filters button[type=submit]", "/history/batch/")
        .await;
    let by_operator: Vec<String> = all
        .iter()
        .filter(|r| r.history_user_id == Some(operator))
        .map(|r| r.history_id.to_string())
        .collect();
    assert!(!by_operator.is_empty());
    assert_eq!(listed_ids(b).await, by_operator);
    let users = b.texts("table.history tbody td:nth-child(4)").await;
    assert!(
        users.iter().all(|u| *u == operator.to_string()),
        "{users:?}"
    );
    b.shot("history-by-user").await;

    // A batch's timeline: the mortality note's diff, its date in the browser's zone.
    let batch = s.day.batch_id;
    b.click_to(
        &format!("table.history a[href^='/history/batch/{batch}/']"),
        &format!("/history/batch/{batch}/"),
    )
    .await;
    let note = all
        .iter()
        .find(|r| {
            r.id == batch
                && r.history_change_reason.as_deref() == Some("mortality noted on the batch")
        })
        .unwrap();
    let article = format!("article#h{}", note.history_id);
    let new = b.texts(&format!("{article} table.diff td.new ins")).await;
    assert_eq!(new, [note.notes.clone().unwrap()]);
    let fields = b
        .texts(&format!("{article} table.diff th[scope=row]"))
        .await;
    assert_eq!(fields, ["notes"]);
    let old = b.texts(&format!("{article} table.diff td.old")).await;
    assert_eq!(old, ["null"]);
    let shown = b.find(&format!("{article} h3 time")).await;
    let utc = note
        .history_date
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    assert_eq!(shown.attr("title").await.unwrap().unwrap(), utc);
    let local = (note.history_date + chrono::Duration::hours(ZONE_OFFSET_HOURS))
        .format("%H:%M:%S")
        .to_string();
    let text = shown.text().await.unwrap();
    assert!(text.contains(&local), "{text} is {local} in {ZONE}");
    assert_eq!(
        shown.attr("data-zone").await.unwrap().as_deref(),
        Some(ZONE)
    );
    b.shot("timeline").await;

    // As of mid-morning, picked in the browser's zone: the batch before the note.
    let then = Batch::history(&batch)
        .as_of(&mut s.conn, s.day.mid_morning)
        .unwrap()
        .unwrap();
    b.script(&format!(
        "document.getElementById('at_local').value = '{}';",
        local_input(s.day.mid_morning)
    ))
    .await;
    b.click_to(
        "section.asof button[type=submit]",
        &format!("/history/batch/{batch}/"),
    )
    .await;
    b.find("#asof-result").await;
    let query = b.path_and_query().await.1;
    let sent = s
        .day
        .mid_morning
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        .replace(':', "%3A");
    assert!(
        query.contains(&format!("at={sent}")),
        "{query} sends {sent}"
    );
    let state: Vec<String> = b.texts("section.asof table.fields tbody tr").await;
    assert!(state.iter().any(|r| r == "notes null"), "{state:?}");
    assert!(
        state
            .iter()
            .any(|r| *r == format!("lifecycle_stage {}", then.lifecycle_stage)),
        "{state:?}"
    );
    assert_eq!(then.notes, None);
    b.shot("as-of").await;

    // The transfer's changeset, from the changeset listing.
    let changeset = s.day.transfer_changeset;
    b.click_to(
        "header nav a[href='/history/changesets/']",
        "/history/changesets/",
    )
    .await;
    let noon = audit_examples::aquamind::day::at(s.day.date, 12, 0);
    b.script(&format!(
        "document.getElementById('date_from_local').value = '{}';
         document.getElementById('date_to_local').value = '{}';",
        local_input(noon),
        local_input(noon + chrono::Duration::minutes(15))
    ))
    .await;
    b.click_to("form.filters button[type=submit]", "/history/changesets/")
        .await;
    b.shot("changesets").await;
    let link = format!("table.history a[href='/history/changesets/{changeset}/']");
    b.click_to(&link, &format!("/history/changesets/{changeset}/"))
        .await;
    let expected = audit_examples::aquamind::registry()
        .changeset(&mut s.conn, changeset)
        .unwrap();
    let rows = b.texts("table.history tbody tr").await;
    assert_eq!(rows.len(), expected.entries.len());
    for (row, entry) in rows.iter().zip(&expected.entries) {
        assert!(row.contains(&entry.model), "{row} is of {}", entry.model);
        assert!(row.contains(entry.history_type.as_str()), "{row}");
    }
    b.shot("changeset").await;

    // Revert the batch to the state before the note: a confirmation, then a new `~` row.
    let created = all
        .iter()
        .filter(|r| r.id == batch)
        .find(|r| r.history_type == HistoryType::Create)
        .unwrap();
    b.goto(&format!("{base}/history/batch/{batch}/")).await;
    b.click_to(
        &format!("article#h{} a.button", created.history_id),
        &format!("/history/batch/{batch}/revert/{}", created.history_id),
    )
    .await;
    let changed = b.texts("table.diff tr.changed th").await;
    assert!(changed.contains(&"notes".to_owned()), "{changed:?}");
    b.shot("revert-confirm").await;
    b.find("#reason")
        .await
        .send_keys("the note belongs on the mortality record")
        .await
        .unwrap();
    b.click_to(
        "form.confirm button.danger",
        &format!("/history/batch/{batch}/"),
    )
    .await;
    let latest = Batch::history(&batch).latest(&mut s.conn).unwrap().unwrap();
    assert_eq!(latest.history_type, HistoryType::Update);
    assert_eq!(
        latest.history_change_reason.as_deref(),
        Some("the note belongs on the mortality record")
    );
    assert_eq!(latest.history_user_id, Some(s.day.admin));
    assert_eq!(latest.notes, created.notes);
    let notice = b.find("p.notice").await.text().await.unwrap();
    assert!(notice.contains(&latest.history_id.to_string()), "{notice}");
    let newest = format!("ol.timeline li:first-child article#h{}", latest.history_id);
    let heading = b.find(&format!("{newest} h3")).await.text().await.unwrap();
    assert!(heading.contains("~ Changed"), "{heading}");
    let reason = b
        .find(&format!("{newest} dd.reason"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(reason, "the note belongs on the mortality record");
    b.shot("reverted").await;
}

/// An operator (no auditor or admin role) sees no personal-data model and cannot revert.
async fn an_operator_sees_no_personal_data(s: Server, b: &Browser) {
    let base = format!("http://{}", s.addr);
    let operator = s.staff.token("operator").unwrap().to_owned();
    b.log_in(&base, "/history/", &operator).await;
    let models = b.texts("main tbody th[scope=row] a").await;
    assert_eq!(models.len(), 20, "{models:?}");
    for personal in ["AuditedUser", "UserProfile"] {
        assert!(!models.contains(&personal.to_owned()), "{models:?}");
    }
    b.shot("operator-models").await;
    b.goto(&format!("{base}/history/audited_user/")).await;
    let error = b.find("p.error").await.text().await.unwrap();
    assert!(error.contains("personal data"), "{error}");
    let batch = s.day.batch_id;
    b.goto(&format!("{base}/history/batch/{batch}/")).await;
    b.find("ol.timeline").await;
    assert!(
        b.texts("article a.button").await.is_empty(),
        "no revert links"
    );
    b.goto(&format!("{base}/history/batch/{batch}/revert/1"))
        .await;
    let error = b.find("p.error").await.text().await.unwrap();
    assert!(error.contains("may not revert"), "{error}");
    // The changesets an operator reads leave out the personal models' rows.
    b.goto(&format!("{base}/history/changesets/?page_size=100"))
        .await;
    let listed = b.texts("table.history tbody td:nth-child(4)").await;
    assert!(!listed.is_empty());
    assert!(
        listed
            .iter()
            .all(|m| !m.contains("AuditedUser") && !m.contains("UserProfile")),
        "{listed:?}"
    );
    // Logging out forgets the token.
    b.click_to("header form button", "/history/login").await;
    b.goto(&format!("{base}/history/")).await;
    b.wait_for_path("/history/login").await;
}

/// On a phone-sized window the pages fit, every field has a label, the first Tab reaches the
/// skip link; without a browser (no script) the pages carry their content; and a form posted
/// from elsewhere is refused.
async fn narrow_keyboard_no_script_and_forms_from_elsewhere(mut s: Server, b: &Browser) {
    let base = format!("http://{}", s.addr);
    let admin = s.staff.token("admin").unwrap().to_owned();
    b.client.set_window_size(390, 844).await.unwrap();
    b.log_in(&base, "/history/", &admin).await;
    let batch = s.day.batch_id;
    for (path, name) in [
        ("/history/".to_owned(), "narrow-models"),
        ("/history/batch/".to_owned(), "narrow-history"),
        (format!("/history/batch/{batch}/"), "narrow-timeline"),
        ("/history/changesets/".to_owned(), "narrow-changesets"),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.find("main h1").await;
        let overflow = b
            .script("return document.documentElement.scrollWidth - window.innerWidth;")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{path} overflows by {overflow}"
        );
        let unlabelled = b
            .script(
                "return [...document.querySelectorAll('input:not([type=hidden]), select')]
                    .filter(e => e.labels.length === 0).map(e => e.id || e.name);",
            )
            .await;
        assert_eq!(unlabelled, json!([]), "{path}");
        b.shot(name).await;
    }
    b.goto(&format!("{base}/history/")).await;
    b.find("main h1").await;
    let tab = char::from(fantoccini::key::Key::Tab);
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab });
    b.client.perform_actions(keys).await.unwrap();
    let focused = b.script("return document.activeElement.textContent;").await;
    assert_eq!(focused, json!("Skip to content"));

    // Without a script: the page as served holds the diff, in UTC.
    let cookie = format!("{}={admin}", audit_axum::TOKEN_COOKIE);
    let mut response = s
        .agent
        .get(&s.url(&format!("/history/batch/{batch}/")))
        .header("Cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let html = response.body_mut().read_to_string().unwrap();
    assert!(html.contains("<ins>120 lost to handling stress in A1</ins>"));
    assert!(html.contains("10:12:00 UTC"));

    // A revert posted without the browser's word that it comes from the viewer: refused, and
    // nothing written.
    let before = Batch::history(&batch).trail(&mut s.conn).unwrap().len();
    for headers in [
        vec![],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", "http://evil.example")],
    ] {
        let mut request = s
            .agent
            .post(&s.url(&format!("/history/batch/{batch}/revert/1")))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded");
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = request.send("reason=forged").unwrap();
        assert_eq!(response.status().as_u16(), 403, "{headers:?}");
    }
    assert_eq!(
        Batch::history(&batch).trail(&mut s.conn).unwrap().len(),
        before
    );
}

/// Bad input to any page is a page naming what was wrong, with a 4xx status: never a 500.
fn bad_input_is_a_clear_page(mut s: Server) {
    let cookie = format!(
        "{}={}",
        audit_axum::TOKEN_COOKIE,
        s.staff.token("admin").unwrap()
    );
    let batch = s.day.batch_id;
    let other = s.day.batch_id + 1;
    let created = Batch::history(&other).earliest(&mut s.conn).unwrap();
    for (path, status, says) in [
        ("/history/nope/".to_owned(), 404, "no model `nope`"),
        ("/history/batch/?page=0".to_owned(), 400, "`page`"),
        (
            "/history/batch/?page_size=1000".to_owned(),
            400,
            "`page_size`",
        ),
        (
            "/history/batch/?history_type=x".to_owned(),
            400,
            "`history_type`",
        ),
        (
            "/history/batch/?history_user=a%20b".to_owned(),
            400,
            "does not fit",
        ),
        (
            "/history/batch/?date_from_local=yesterday".to_owned(),
            400,
            "`date_from_local`",
        ),
        (
            "/history/batch/?changeset=zz".to_owned(),
            400,
            "`changeset`",
        ),
        (
            "/history/batch/?page=1&page=2".to_owned(),
            400,
            "more than once",
        ),
        ("/history/batch/seven/".to_owned(), 400, "object_id"),
        ("/history/batch/999999/".to_owned(), 404, "has no history"),
        (
            format!("/history/batch/{batch}/?at_local=noon"),
            400,
            "`at_local`",
        ),
        (
            format!("/history/batch/{batch}/?at=1900-01-01T00:00:00Z"),
            200,
            "did not exist",
        ),
        (
            format!("/history/batch/{batch}/revert/x"),
            400,
            "history_id",
        ),
        (
            format!("/history/batch/{batch}/revert/999999"),
            404,
            "no history row",
        ),
        (
            format!(
                "/history/batch/{batch}/revert/{}",
                created.map_or(0, |r| r.history_id)
            ),
            404,
            "is not of Batch",
        ),
        ("/history/changesets/nope/".to_owned(), 400, "`id`"),
        (
            format!("/history/changesets/{}/", uuid::Uuid::nil()),
            404,
            "changeset",
        ),
        (
            "/history/changesets/?cursor=abc".to_owned(),
            400,
            "`cursor`",
        ),
        ("/history/assets/nope.js".to_owned(), 404, "no such asset"),
    ] {
        let mut response = s
            .agent
            .get(&s.url(&path))
            .header("Cookie", &cookie)
            .call()
            .unwrap();
        let body = response.body_mut().read_to_string().unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}: {body}");
        assert!(
            body.contains(&says.replace('`', "&#96;")) || body.contains(says),
            "{path} says {says}: {body}"
        );
    }
    // A revert posted from the viewer's origin: of a row of another object, refused (404) and
    // nothing written; with a blank reason, the default one.
    let origin = format!("http://{}", s.addr);
    let agent = s.agent.clone();
    let post = |path: &str, body: &str| {
        let mut response = agent
            .post(&format!("{origin}{path}"))
            .header("Cookie", &cookie)
            .header("Origin", &origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .config()
            .max_redirects(0)
            .build()
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let _ = response.body_mut().read_to_string();
        (status, location)
    };
    let rows = Batch::history(&batch).trail(&mut s.conn).unwrap();
    let others = Batch::history(&other).trail(&mut s.conn).unwrap();
    let of_other = others.last().unwrap().history_id;
    let (status, _) = post(
        &format!("/history/batch/{batch}/revert/{of_other}"),
        "reason=x",
    );
    assert_eq!(status, 404);
    assert_eq!(
        Batch::history(&batch).trail(&mut s.conn).unwrap().len(),
        rows.len()
    );
    assert_eq!(
        Batch::history(&other).trail(&mut s.conn).unwrap().len(),
        others.len()
    );
    let first = rows.last().unwrap().history_id;
    let (status, location) = post(
        &format!("/history/batch/{batch}/revert/{first}"),
        "reason=++",
    );
    assert_eq!(status, 303);
    let latest = Batch::history(&batch).latest(&mut s.conn).unwrap().unwrap();
    assert_eq!(
        latest.history_change_reason,
        Some(format!("revert to history row {first}"))
    );
    assert_eq!(
        location.unwrap(),
        format!(
            "/history/batch/{batch}/?reverted={0}#h{0}",
            latest.history_id
        )
    );
    // A login whose `next` is not a plain path of the viewer goes to the models page.
    let token = s.staff.token("admin").unwrap().to_owned();
    for next in [
        "%2Fhistory%2F%0A",
        "https%3A%2F%2Fevil.example%2F",
        "%2Fhistory%2F%2F%2Fevil",
    ] {
        let (status, location) = post("/history/login", &format!("token={token}&next={next}"));
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/history/")),
            "{next}"
        );
    }

    // Without credentials: to the login page, never a page of history.
    let response = s
        .agent
        .get(&s.url("/history/batch/"))
        .config()
        .max_redirects(0)
        .build()
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers().get("location").unwrap(),
        "/history/login?next=%2Fhistory%2Fbatch%2F"
    );
}

macro_rules! over_http {
    ($($name:ident),*) => {
        mod sqlite_http {
            use super::*;
            $( #[test] fn $name() { super::$name(Server::sqlite_with(&["V1", "V2"])); } )*
        }
        #[cfg(feature = "postgres")]
        mod postgres_http {
            use super::*;
            $( #[test] fn $name() { super::$name(Server::postgres_with(&["V1", "V2"])); } )*
        }
        #[cfg(feature = "mysql")]
        mod mysql_http {
            use super::*;
            $( #[test] fn $name() { super::$name(Server::mysql_with(&["V1", "V2"])); } )*
        }
    };
}

over_http!(bad_input_is_a_clear_page);

macro_rules! in_browser {
    ($($name:ident),*) => {
        mod sqlite {
            use super::*;
            $( #[test] fn $name() {
                with_browser(Server::sqlite_with(&["V1", "V2", "V3"]), concat!("sqlite-", stringify!($name)), super::$name);
            } )*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            use super::*;
            $( #[test] fn $name() {
                with_browser(Server::postgres_with(&["V1", "V2", "V3"]), concat!("postgres-", stringify!($name)), super::$name);
            } )*
        }
        #[cfg(feature = "mysql")]
        mod mysql {
            use super::*;
            $( #[test] fn $name() {
                with_browser(Server::mysql_with(&["V1", "V2", "V3"]), concat!("mysql-", stringify!($name)), super::$name);
            } )*
        }
    };
}

in_browser!(
    an_admin_reads_and_reverts,
    an_operator_sees_no_personal_data,
    narrow_keyboard_no_script_and_forms_from_elsewhere
);
