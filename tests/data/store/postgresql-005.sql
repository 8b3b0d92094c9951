-- A PostgreSQL store as wirewatch made it up to migration 005_leases (commit 576f288:
-- store/pgmigrations.py), with a row in every table: `pg_dump --inserts`, with the
-- `public.` prefixes and SET lines dropped so that it loads into any schema.
-- Frozen test data for tests/store/test_upgrade.py; never regenerate it with newer code.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)




--
-- Name: _migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE _migrations (
    name text NOT NULL,
    applied_at text
);


--
-- Name: articles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE articles (
    id text NOT NULL,
    feed_url text NOT NULL,
    guid text,
    url text,
    title text,
    text text,
    lang text,
    feed_title text,
    published_at text,
    fetched_at text NOT NULL,
    story_id bigint,
    canonical_url text
);


--
-- Name: deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE deliveries (
    id bigint NOT NULL,
    hit_id bigint NOT NULL,
    channel text NOT NULL,
    idempotency_key text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at text,
    claimed_until text,
    last_error text,
    created_at text NOT NULL,
    sent_at text,
    kind text DEFAULT 'alert'::text NOT NULL,
    story_id bigint,
    parent_id bigint,
    digest integer DEFAULT 0 NOT NULL,
    remote_ref text,
    claimed_by text
);


--
-- Name: deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE deliveries_id_seq OWNED BY deliveries.id;


--
-- Name: destinations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE destinations (
    channel text NOT NULL,
    status text NOT NULL,
    reason text,
    changed_at text NOT NULL
);


--
-- Name: feeds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE feeds (
    url text NOT NULL,
    title text,
    interval_s integer NOT NULL,
    etag text,
    last_modified text,
    status text DEFAULT 'new'::text NOT NULL,
    last_polled_at text,
    last_success_at text,
    next_poll_at text,
    error_class text,
    error text,
    error_count integer DEFAULT 0 NOT NULL,
    added_at text,
    origin text DEFAULT 'config'::text NOT NULL,
    effective_url text,
    poll_interval_s integer,
    items_per_day double precision,
    last_new_at text,
    last_error_at text,
    error_since text,
    errors_total integer DEFAULT 0 NOT NULL,
    health text,
    health_at text,
    leased_until text,
    leased_by text
);


--
-- Name: hits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE hits (
    id bigint NOT NULL,
    article_id text NOT NULL,
    watch_id text NOT NULL,
    title text,
    severity text,
    condition text,
    evidence text NOT NULL,
    rule_file text,
    rule_version text,
    created_at text NOT NULL
);


--
-- Name: hits_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE hits_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: hits_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE hits_id_seq OWNED BY hits.id;


--
-- Name: stories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE stories (
    id bigint NOT NULL,
    fingerprint bigint NOT NULL,
    article_id text,
    created_at text NOT NULL,
    seen_at text NOT NULL
);


--
-- Name: stories_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE stories_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: stories_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE stories_id_seq OWNED BY stories.id;


--
-- Name: deliveries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY deliveries ALTER COLUMN id SET DEFAULT nextval('deliveries_id_seq'::regclass);


--
-- Name: hits id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY hits ALTER COLUMN id SET DEFAULT nextval('hits_id_seq'::regclass);


--
-- Name: stories id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY stories ALTER COLUMN id SET DEFAULT nextval('stories_id_seq'::regclass);


--
-- Data for Name: _migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO _migrations VALUES ('001_initial', '2026-08-01 00:00:00.000000+00');
INSERT INTO _migrations VALUES ('002_alerts', '2026-08-01 00:00:00.000000+00');
INSERT INTO _migrations VALUES ('003_polling', '2026-08-01 00:00:00.000000+00');
INSERT INTO _migrations VALUES ('004_housekeeping', '2026-08-01 00:00:00.000000+00');
INSERT INTO _migrations VALUES ('005_leases', '2026-08-01 00:00:00.000000+00');


--
-- Data for Name: articles; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO articles VALUES ('a3', 'http://127.0.0.1/feed.xml', NULL, 'https://x.example/3', 'Title 3', 'Title 3

Putin und Kim.', 'de', NULL, '2026-08-13T05:30:00.000000+00:00', '2026-08-13T06:32:00.000000+00:00', 2, NULL);
INSERT INTO articles VALUES ('a4', 'http://127.0.0.1/feed.xml', NULL, 'https://x.example/4', 'Title 4', 'Title 4

Putin und Kim.', 'de', NULL, '2026-08-13T05:30:00.000000+00:00', '2026-08-13T06:30:00.000000+00:00', NULL, NULL);
INSERT INTO articles VALUES ('a1', 'http://127.0.0.1/feed.xml', NULL, 'https://x.example/1', 'Title 1', 'Title 1

Putin und Kim.', 'de', NULL, '2026-08-13T05:30:00.000000+00:00', '2026-08-13T06:30:00.000000+00:00', 1, 'https://x.example/1');
INSERT INTO articles VALUES ('a2', 'http://127.0.0.1/feed.xml', NULL, 'https://x.example/2', 'Title 2', 'Title 2

Putin und Kim.', 'de', NULL, '2026-08-13T05:30:00.000000+00:00', '2026-08-13T06:31:00.000000+00:00', 1, 'https://x.example/2');
INSERT INTO articles VALUES ('notice:49d3db696fdd174a09fc18bf', 'http://127.0.0.1/b.xml', NULL, 'http://127.0.0.1/b.xml', 'Feed failing', 'HTTP 503 for 2h', NULL, NULL, '2026-08-13T06:33:00.000000+00:00', '2026-08-13T06:33:00.000000+00:00', NULL, NULL);


--
-- Data for Name: deliveries; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO deliveries VALUES (4, 2, 'mail', 'msg_e0fb2eafd6b24830af459a100dd32613', 'pending', 0, '2026-08-13T07:30:00.000000+00:00', NULL, NULL, '2026-08-13T06:31:00.000000+00:00', NULL, 'alert', 1, NULL, 1, NULL, NULL);
INSERT INTO deliveries VALUES (5, 3, 'hook', 'msg_5b26e69777a14c5a854f754df988b4fd', 'pending', 0, '2026-08-13T06:32:00.000000+00:00', NULL, NULL, '2026-08-13T06:32:00.000000+00:00', NULL, 'escalation', 2, NULL, 0, NULL, NULL);
INSERT INTO deliveries VALUES (6, 4, 'hook', 'msg_27160cfcf67348298e980ecd97d9fdd8', 'pending', 0, '2026-08-13T06:33:00.000000+00:00', NULL, NULL, '2026-08-13T06:33:00.000000+00:00', NULL, 'alert', NULL, NULL, 0, NULL, NULL);
INSERT INTO deliveries VALUES (1, 1, 'hook', 'msg_ee290b15092b4a97b2456d790ce935eb', 'sent', 1, '2026-08-13T06:30:00.000000+00:00', NULL, NULL, '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:35:00.000000+00:00', 'alert', 1, NULL, 0, '1700000000.0001', 'vm:745:7fe2a88b0a90');
INSERT INTO deliveries VALUES (2, 1, 'mail', 'msg_1d809d484aef4383950402f311861218', 'dead', 1, '2026-08-13T06:30:00.000000+00:00', NULL, 'HTTP 410', '2026-08-13T06:30:00.000000+00:00', NULL, 'alert', 1, NULL, 0, NULL, 'vm:745:7fe2a88b0a90');
INSERT INTO deliveries VALUES (3, 2, 'hook', 'msg_513caa1c9cd24f16bc336322f40ec1ad', 'pending', 0, '2026-08-13T06:31:00.000000+00:00', '2026-08-13T06:39:00.000000+00:00', NULL, '2026-08-13T06:31:00.000000+00:00', NULL, 'update', 1, 1, 0, NULL, 'vm:745:7fe2a88b0a90');


--
-- Data for Name: destinations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO destinations VALUES ('mail', 'disabled', '550 no such user', '2026-08-13T06:36:00.000000+00:00');


--
-- Data for Name: feeds; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO feeds VALUES ('http://127.0.0.1/c.xml', NULL, 900, NULL, NULL, 'new', NULL, NULL, '2026-08-13T06:30:00.000000+00:00', NULL, NULL, 0, '2026-08-13T06:30:00.000000+00:00', 'config', NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, '2026-08-13T06:35:00.000000+00:00', 'host:1:feed');
INSERT INTO feeds VALUES ('http://127.0.0.1/a.xml', 'Feed A', 60, '"e1"', 'Thu, 13 Aug 2026 06:00:00 GMT', 'ok', '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:31:00.000000+00:00', NULL, NULL, 0, '2026-08-13T06:30:00.000000+00:00', 'config', NULL, 120, 12.5, '2026-08-13T06:30:00.000000+00:00', NULL, NULL, 0, NULL, NULL, '2026-08-13T06:35:00.000000+00:00', 'host:1:feed');
INSERT INTO feeds VALUES ('http://127.0.0.1/b.xml', NULL, 300, NULL, NULL, 'failing', '2026-08-13T06:30:00.000000+00:00', NULL, '2026-08-13T06:40:00.000000+00:00', 'http', 'HTTP 503', 1, '2026-08-13T06:30:00.000000+00:00', 'config', 'http://127.0.0.1/b2.xml', NULL, NULL, NULL, '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:30:00.000000+00:00', 1, 'failing', '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:35:00.000000+00:00', 'host:1:feed');
INSERT INTO feeds VALUES ('http://127.0.0.1/d.xml', 'Feed D', 600, NULL, NULL, 'new', NULL, NULL, '2026-08-13T06:30:00.000000+00:00', NULL, NULL, 0, '2026-08-13T06:30:00.000000+00:00', 'cli', NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL);


--
-- Data for Name: hits; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO hits VALUES (1, 'a1', 'russia-north-korea', 'RU+KP', 'high', 'all of RUS, PRK in one sentence', '[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]', 'w.yaml', '1', '2026-08-13T06:30:00.000000+00:00');
INSERT INTO hits VALUES (2, 'a2', 'russia-north-korea', 'RU+KP', 'high', 'all of RUS, PRK in one sentence', '[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]', 'w.yaml', '1', '2026-08-13T06:31:00.000000+00:00');
INSERT INTO hits VALUES (3, 'a3', 'other-watch', 'RU+KP', 'high', 'all of RUS, PRK in one sentence', '[{"text": "Putin und Kim.", "start": 11, "end": 25, "actors": ["PRK", "RUS"], "mentions": [{"actor": "RUS", "text": "Putin", "start": 11, "end": 16}, {"actor": "PRK", "text": "Kim", "start": 21, "end": 24}], "terms": []}]', 'w.yaml', '1', '2026-08-13T06:32:00.000000+00:00');
INSERT INTO hits VALUES (4, 'notice:49d3db696fdd174a09fc18bf', 'wirewatch:feed-health', 'Feed failing', 'high', 'HTTP 503 for 2h', '[]', '', '', '2026-08-13T06:33:00.000000+00:00');


--
-- Data for Name: stories; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO stories VALUES (1, -3, 'a1', '2026-08-13T06:30:00.000000+00:00', '2026-08-13T06:31:00.000000+00:00');
INSERT INTO stories VALUES (2, 12345, 'a3', '2026-08-13T06:32:00.000000+00:00', '2026-08-13T06:32:00.000000+00:00');


--
-- Name: deliveries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('deliveries_id_seq', 6, true);


--
-- Name: hits_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('hits_id_seq', 4, true);


--
-- Name: stories_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('stories_id_seq', 2, true);


--
-- Name: _migrations _migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY _migrations
    ADD CONSTRAINT _migrations_pkey PRIMARY KEY (name);


--
-- Name: articles articles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY articles
    ADD CONSTRAINT articles_pkey PRIMARY KEY (id);


--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (id);


--
-- Name: destinations destinations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY destinations
    ADD CONSTRAINT destinations_pkey PRIMARY KEY (channel);


--
-- Name: feeds feeds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY feeds
    ADD CONSTRAINT feeds_pkey PRIMARY KEY (url);


--
-- Name: hits hits_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY hits
    ADD CONSTRAINT hits_pkey PRIMARY KEY (id);


--
-- Name: stories stories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY stories
    ADD CONSTRAINT stories_pkey PRIMARY KEY (id);


--
-- Name: idx_articles_feed_url_canonical_url; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_articles_feed_url_canonical_url ON articles USING btree (feed_url, canonical_url);


--
-- Name: idx_articles_feed_url_fetched_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_articles_feed_url_fetched_at ON articles USING btree (feed_url, fetched_at);


--
-- Name: idx_articles_fetched_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_articles_fetched_at ON articles USING btree (fetched_at);


--
-- Name: idx_deliveries_channel_status_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_deliveries_channel_status_id ON deliveries USING btree (channel, status, id);


--
-- Name: idx_deliveries_hit_id_channel_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX idx_deliveries_hit_id_channel_kind ON deliveries USING btree (hit_id, channel, kind);


--
-- Name: idx_deliveries_idempotency_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX idx_deliveries_idempotency_key ON deliveries USING btree (idempotency_key);


--
-- Name: idx_deliveries_status_next_attempt_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_deliveries_status_next_attempt_at ON deliveries USING btree (status, next_attempt_at);


--
-- Name: idx_deliveries_status_sent_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_deliveries_status_sent_at ON deliveries USING btree (status, sent_at);


--
-- Name: idx_feeds_next_poll_at_url; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_feeds_next_poll_at_url ON feeds USING btree (next_poll_at, url);


--
-- Name: idx_hits_article_id_watch_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX idx_hits_article_id_watch_id ON hits USING btree (article_id, watch_id);


--
-- Name: idx_hits_watch_id_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_hits_watch_id_created_at ON hits USING btree (watch_id, created_at);


--
-- Name: idx_stories_seen_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_stories_seen_at ON stories USING btree (seen_at);


--
-- Name: deliveries deliveries_hit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY deliveries
    ADD CONSTRAINT deliveries_hit_id_fkey FOREIGN KEY (hit_id) REFERENCES hits(id);


--
-- Name: hits hits_article_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY hits
    ADD CONSTRAINT hits_article_id_fkey FOREIGN KEY (article_id) REFERENCES articles(id);


--
-- PostgreSQL database dump complete
--


