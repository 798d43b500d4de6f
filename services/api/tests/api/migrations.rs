use hookrelay_core::db;
use hookrelay_testkit::{server_url, TestDb, TEST_DB_PREFIX};

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    let test_db = TestDb::create().await; // already migrated once
    let applied = db::migrate(&test_db.pool).await.expect("second run");
    assert_eq!(applied, 0);
    let client = test_db.pool.get().await.expect("conn");
    let row = client
        .query_one("SELECT count(*) FROM refinery_schema_history", &[])
        .await
        .expect("history");
    let n: i64 = row.get(0);
    assert!(n >= 1);
}

#[tokio::test]
async fn concurrent_migrations_apply_once() {
    let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
    let (client, conn) = tokio_postgres::connect(&server_url("postgres"), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    let url = server_url(&name);
    let runs = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move {
            let pool = db::build_pool_for(&url, 2, 30_000).expect("pool");
            db::migrate(&pool).await
        })
    });
    let results = futures::future::join_all(runs).await;
    let applied: Vec<usize> = results
        .into_iter()
        .map(|r| r.expect("task").expect("migration succeeds"))
        .collect();
    let total_files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations"))
        .expect("migrations dir")
        .count();
    assert_eq!(applied.iter().sum::<usize>(), total_files, "{applied:?}");
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "{applied:?}");
}

/// `CommitWait` sets the session's `synchronous_commit` (the API's pool waits for the
/// flush, the dispatcher's does not) and keeps the other session options.
#[tokio::test]
async fn commit_wait_sets_synchronous_commit() {
    let test_db = TestDb::create().await;
    let settings = hookrelay_testkit::test_settings(&test_db.url);
    for (commit, expected) in [
        (db::CommitWait::Flushed, "on"),
        (db::CommitWait::Asynchronous, "off"),
    ] {
        let pool = db::build_pool(&settings.database, commit).expect("pool");
        let client = pool.get().await.expect("conn");
        let row = client
            .query_one("SHOW synchronous_commit", &[])
            .await
            .expect("show");
        assert_eq!(row.get::<_, String>(0), expected, "{commit:?}");
        // The session options set for every pool are kept alongside.
        let plan = client
            .query_one("SHOW plan_cache_mode", &[])
            .await
            .expect("show");
        assert_eq!(plan.get::<_, String>(0), "force_generic_plan");
    }
}
