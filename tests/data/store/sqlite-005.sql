-- A SQLite store as wirewatch made it up to migration 005_leases (commit 576f288:
-- store/migrations.py, via sqlite-utils), with a row in every table: `iterdump()`.
-- Frozen test data for tests/store/test_upgrade.py; never regenerate it with newer code.
BEGIN TRANSACTION;
CREATE TABLE "_migrations" (
   "name" TEXT PRIMARY KEY,
   "applied_at" TEXT
);
INSERT INTO "_migrations" VALUES('001_initial','2026-08-01 00:00:00');
INSERT INTO "_migrations" VALUES('002_alerts','2026-08-01 00:00:00');
INSERT INTO "_migrations" VALUES('003_polling','2026-08-01 00:00:00');
INSERT INTO "_migrations" VALUES('004_housekeeping','2026-08-01 00:00:00');
INSERT INTO "_migrations" VALUES('005_leases','2026-08-01 00:00:00');
CREATE TABLE "articles" (
   "id" TEXT PRIMARY KEY,
   "feed_url" TEXT NOT NULL,
   "guid" TEXT,
   "url" TEXT,
   "title" TEXT,
   "text" TEXT,
   "lang" TEXT,
   "feed_title" TEXT,
   "published_at" TEXT,
   "fetched_at" TEXT NOT NULL
, story_id INTEGER, canonical_url TEXT);
INSERT INTO "articles" VALUES('a1','http://127.0.0.1/feed.xml',NULL,'https://x.example/1','Title 1','Title 1

Putin und Kim.','de',NULL,'2026-08-13T05:30:00.000000+00:00','2026-08-13T06:30:00.000000+00:00',1,'https://x.example/1');
INSERT INTO "articles" VALUES('a2','http://127.0.0.1/feed.xml',NULL,'https://x.example/2','Title 2','Title 2

Putin und Kim.','de',NULL,'2026-08-13T05:30:00.000000+00:00','2026-08-13T06:31:00.000000+00:00',1,'https://x.example/2');
INSERT INTO "articles" VALUES('a3','http://127.0.0.1/feed.xml',NULL,'https://x.example/3','Title 3','Title 3

Putin und Kim.','de',NULL,'2026-08-13T05:30:00.000000+00:00','2026-08-13T06:32:00.000000+00:00',2,NULL);
INSERT INTO "articles" VALUES('a4','http://127.0.0.1/feed.xml',NULL,'https://x.example/4','Title 4','Title 4

Putin und Kim.','de',NULL,'2026-08-13T05:30:00.000000+00:00','2026-08-13T06:30:00.000000+00:00',NULL,NULL);
INSERT INTO "articles" VALUES('notice:49d3db696fdd174a09fc18bf','http://127.0.0.1/b.xml',NULL,'http://127.0.0.1/b.xml','Feed failing','HTTP 503 for 2h',NULL,NULL,'2026-08-13T06:33:00.000000+00:00','2026-08-13T06:33:00.000000+00:00',NULL,NULL);
CREATE TABLE "deliveries" (
   "id" INTEGER PRIMARY KEY,
   "hit_id" INTEGER NOT NULL REFERENCES "hits"("id"),
   "channel" TEXT NOT NULL,
   "idempotency_key" TEXT NOT NULL,
   "status" TEXT NOT NULL DEFAULT 'pending',
   "attempts" INTEGER NOT NULL DEFAULT 0,
   "next_attempt_at" TEXT,
   "claimed_until" TEXT,
   "last_error" TEXT,
   "created_at" TEXT NOT NULL,
   "sent_at" TEXT
, kind TEXT NOT NULL DEFAULT 'alert', story_id INTEGER, parent_id INTEGER, digest INTEGER NOT NULL DEFAULT 0, remote_ref TEXT, claimed_by TEXT);
INSERT INTO "deliveries" VALUES(1,1,'hook','msg_723c8f432f1042728019dd6ac60f39c2','sent',1,'2026-08-13T06:30:00.000000+00:00',NULL,NULL,'2026-08-13T06:30:00.000000+00:00','2026-08-13T06:35:00.000000+00:00','alert',1,NULL,0,'1700000000.0001','vm:711:7ffa94fbbbd0');
INSERT INTO "deliveries" VALUES(2,1,'mail','msg_ae7ccac0b2494f3aa1978162f753c848','dead',1,'2026-08-13T06:30:00.000000+00:00',NULL,'HTTP 410','2026-08-13T06:30:00.000000+00:00',NULL,'alert',1,NULL,0,NULL,'vm:711:7ffa94fbbbd0');
INSERT INTO "deliveries" VALUES(3,2,'hook','msg_c85f48f2cd60496b8859d87fffcd4fbb','pending',0,'2026-08-13T06:31:00.000000+00:00','2026-08-13T06:39:00.000000+00:00',NULL,'2026-08-13T06:31:00.000000+00:00',NULL,'update',1,1,0,NULL,'vm:711:7ffa94fbbbd0');
INSERT INTO "deliveries" VALUES(4,2,'mail','msg_5dba89afefe24e4ab0715a14ad9d703f','pending',0,'2026-08-13T07:30:00.000000+00:00',NULL,NULL,'2026-08-13T06:31:00.000000+00:00',NULL,'alert',1,NULL,1,NULL,NULL);
INSERT INTO "deliveries" VALUES(5,3,'hook','msg_99d2a62fb0374fb097e14243bc0fc14f','pending',0,'2026-08-13T06:32:00.000000+00:00',NULL,NULL,'2026-08-13T06:32:00.000000+00:00',NULL,'escalation',2,NULL,0,NULL,NULL);
INSERT INTO "deliveries" VALUES(6,4,'hook','msg_e5fa0c6ae8344922ac36081897fcc0cd','pending',0,'2026-08-13T06:33:00.000000+00:00',NULL,NULL,'2026-08-13T06:33:00.000000+00:00',NULL,'alert',NULL,NULL,0,NULL,NULL);
CREATE TABLE "destinations" (
   "channel" TEXT PRIMARY KEY,
   "status" TEXT NOT NULL,
   "reason" TEXT,
   "changed_at" TEXT NOT NULL
);
INSERT INTO "destinations" VALUES('mail','disabled','550 no such user','2026-08-13T06:36:00.000000+00:00');
CREATE TABLE "feeds" (
   "url" TEXT PRIMARY KEY,
   "title" TEXT,
   "interval_s" INTEGER NOT NULL,
   "etag" TEXT,
   "last_modified" TEXT,
   "status" TEXT NOT NULL DEFAULT 'new',
   "last_polled_at" TEXT,
   "last_success_at" TEXT,
   "next_poll_at" TEXT,
   "error_class" TEXT,
   "error" TEXT,
   "error_count" INTEGER NOT NULL DEFAULT 0,
   "added_at" TEXT
, origin TEXT NOT NULL DEFAULT 'config', effective_url TEXT, poll_interval_s INTEGER, items_per_day REAL, last_new_at TEXT, last_error_at TEXT, error_since TEXT, errors_total INTEGER NOT NULL DEFAULT 0, health TEXT, health_at TEXT, leased_until TEXT, leased_by TEXT);
INSERT INTO "feeds" VALUES('http://127.0.0.1/a.xml','Feed A',60,'"e1"','Thu, 13 Aug 2026 06:00:00 GMT','ok','2026-08-13T06:30:00.000000+00:00','2026-08-13T06:30:00.000000+00:00','2026-08-13T06:31:00.000000+00:00',NULL,NULL,0,'2026-08-13T06:30:00.000000+00:00','config',NULL,120,12.5,'2026-08-13T06:30:00.000000+00:00',NULL,NULL,0,NULL,NULL,'2026-08-13T06:35:00.000000+00:00','host:1:feed');
INSERT INTO "feeds" VALUES('http://127.0.0.1/b.xml',NULL,300,NULL,NULL,'failing','2026-08-13T06:30:00.000000+00:00',NULL,'2026-08-13T06:40:00.000000+00:00','http','HTTP 503',1,'2026-08-13T06:30:00.000000+00:00','config','http://127.0.0.1/b2.xml',NULL,NULL,NULL,'2026-08-13T06:30:00.000000+00:00','2026-08-13T06:30:00.000000+00:00',1,'failing','2026-08-13T06:30:00.000000+00:00','2026-08-13T06:35:00.000000+00:00','host:1:feed');
INSERT INTO "feeds" VALUES('http://127.0.0.1/c.xml',NULL,900,NULL,NULL,'new',NULL,NULL,'2026-08-13T06:30:00.000000+00:00',NULL,NULL,0,'2026-08-13T06:30:00.000000+00:00','config',NULL,NULL,NULL,NULL,NULL,NULL,0,NULL,NULL,'2026-08-13T06:35:00.000000+00:00','host:1:feed');
INSERT INTO "feeds" VALUES('http://127.0.0.1/d.xml','Feed D',600,NULL,NULL,'new',NULL,NULL,'2026-08-13T06:30:00.000000+00:00',NULL,NULL,0,'2026-08-13T06:30:00.000000+00:00','cli',NULL,NULL,NULL,NULL,NULL,NULL,0,NULL,NULL,NULL,NULL);
CREATE TABLE "hits" (
   "id" INTEGER PRIMARY KEY,
   "article_id" TEXT NOT NULL REFERENCES "articles"("id"),
   "watch_id" TEXT NOT NULL,
   "title" TEXT,
   "severity" TEXT,
   "condition" TEXT,
   "evidence" TEXT NOT NULL,
   "rule_file" TEXT,
   "rule_version" TEXT,
   "created_at" TEXT NOT NULL
);
INSERT INTO "hits" VALUES(1,'a1','russia-north-korea','RU+KP','high','all of RUS, PRK in one sentence','[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]','w.yaml','1','2026-08-13T06:30:00.000000+00:00');
INSERT INTO "hits" VALUES(2,'a2','russia-north-korea','RU+KP','high','all of RUS, PRK in one sentence','[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]','w.yaml','1','2026-08-13T06:31:00.000000+00:00');
INSERT INTO "hits" VALUES(3,'a3','other-watch','RU+KP','high','all of RUS, PRK in one sentence','[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]','w.yaml','1','2026-08-13T06:32:00.000000+00:00');
INSERT INTO "hits" VALUES(4,'notice:49d3db696fdd174a09fc18bf','wirewatch:feed-health','Feed failing','high','HTTP 503 for 2h','[]','','','2026-08-13T06:33:00.000000+00:00');
CREATE TABLE "stories" (
   "id" INTEGER PRIMARY KEY,
   "fingerprint" INTEGER NOT NULL,
   "article_id" TEXT,
   "created_at" TEXT NOT NULL,
   "seen_at" TEXT NOT NULL
);
INSERT INTO "stories" VALUES(1,-3,'a1','2026-08-13T06:30:00.000000+00:00','2026-08-13T06:31:00.000000+00:00');
INSERT INTO "stories" VALUES(2,12345,'a3','2026-08-13T06:32:00.000000+00:00','2026-08-13T06:32:00.000000+00:00');
CREATE INDEX "idx_articles_feed_url_fetched_at"
    ON "articles" ("feed_url", "fetched_at");
CREATE UNIQUE INDEX "idx_hits_article_id_watch_id"
    ON "hits" ("article_id", "watch_id");
CREATE INDEX "idx_hits_watch_id_created_at"
    ON "hits" ("watch_id", "created_at");
CREATE UNIQUE INDEX "idx_deliveries_idempotency_key"
    ON "deliveries" ("idempotency_key");
CREATE INDEX "idx_deliveries_status_next_attempt_at"
    ON "deliveries" ("status", "next_attempt_at");
CREATE UNIQUE INDEX "idx_deliveries_hit_id_channel_kind"
    ON "deliveries" ("hit_id", "channel", "kind");
CREATE INDEX "idx_deliveries_channel_status_id"
    ON "deliveries" ("channel", "status", "id");
CREATE INDEX "idx_stories_seen_at"
    ON "stories" ("seen_at");
CREATE INDEX "idx_feeds_next_poll_at_url"
    ON "feeds" ("next_poll_at", "url");
CREATE INDEX "idx_articles_feed_url_canonical_url"
    ON "articles" ("feed_url", "canonical_url");
CREATE INDEX "idx_articles_fetched_at"
    ON "articles" ("fetched_at");
CREATE INDEX "idx_deliveries_status_sent_at"
    ON "deliveries" ("status", "sent_at");
COMMIT;
