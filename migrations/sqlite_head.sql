-- revision: 0010_pg_insert_marks
-- written by `python -m pipelines.schema_snapshot` from a database migrated to that revision; do not edit
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE harvest_runs (
	id INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	status VARCHAR(10) NOT NULL, 
	sources_json TEXT NOT NULL, 
	stats_json TEXT, 
	CONSTRAINT pk_harvest_runs PRIMARY KEY (id)
);
CREATE TABLE persons (
	id INTEGER NOT NULL, 
	person_key TEXT NOT NULL, 
	name TEXT NOT NULL, 
	family TEXT, 
	given TEXT, 
	orcid VARCHAR(19), 
	CONSTRAINT pk_persons PRIMARY KEY (id), 
	CONSTRAINT uq_persons_person_key UNIQUE (person_key)
);
CREATE TABLE sources (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	platform VARCHAR(50) NOT NULL, 
	base_url TEXT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_sources PRIMARY KEY (id), 
	CONSTRAINT uq_sources_name UNIQUE (name)
);
CREATE TABLE venues (
	id INTEGER NOT NULL, 
	venue_key TEXT NOT NULL, 
	title TEXT, 
	issn VARCHAR(20), 
	kind VARCHAR(30), 
	CONSTRAINT pk_venues PRIMARY KEY (id), 
	CONSTRAINT uq_venues_venue_key UNIQUE (venue_key)
);
CREATE TABLE fetched_pages (
	url TEXT NOT NULL, 
	source_id INTEGER NOT NULL, 
	status INTEGER, 
	etag TEXT, 
	last_modified TEXT, 
	sha256 VARCHAR(64), 
	fetched_at DATETIME, 
	checked_at DATETIME NOT NULL, 
	source_key TEXT, 
	error_reason VARCHAR(50), 
	error_message TEXT, 
	attempts INTEGER NOT NULL, warc_file TEXT, warc_offset BIGINT, 
	CONSTRAINT pk_fetched_pages PRIMARY KEY (url), 
	CONSTRAINT fk_fetched_pages_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE INDEX ix_fetched_pages_source_id_source_key ON fetched_pages (source_id, source_key);
CREATE TABLE harvest_run_sources (
	run_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	fetched INTEGER NOT NULL, 
	not_modified INTEGER NOT NULL, 
	unchanged INTEGER NOT NULL, 
	new INTEGER NOT NULL, 
	changed INTEGER NOT NULL, 
	failed INTEGER NOT NULL, 
	failures_json TEXT NOT NULL, 
	seconds FLOAT NOT NULL, 
	CONSTRAINT pk_harvest_run_sources PRIMARY KEY (run_id, source_id), 
	CONSTRAINT fk_harvest_run_sources_run_id_harvest_runs FOREIGN KEY(run_id) REFERENCES harvest_runs (id) ON DELETE CASCADE, 
	CONSTRAINT fk_harvest_run_sources_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE TABLE publications (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	source_key TEXT NOT NULL, 
	url TEXT NOT NULL, 
	platform VARCHAR(50) NOT NULL, 
	type VARCHAR(50), 
	type_raw TEXT, 
	title TEXT, 
	subtitle TEXT, 
	abstract TEXT, 
	doi TEXT, 
	venue_id INTEGER, 
	journal TEXT, 
	volume VARCHAR(50), 
	issue VARCHAR(50), 
	article_number VARCHAR(50), 
	page_first VARCHAR(50), 
	page_last VARCHAR(50), 
	page_count INTEGER, 
	published VARCHAR(10), 
	published_precision VARCHAR(5), 
	online VARCHAR(10), 
	status VARCHAR(50), 
	status_date VARCHAR(10), 
	language VARCHAR(10), 
	publisher TEXT, 
	host_publication TEXT, 
	record_json TEXT NOT NULL, 
	provenance_json TEXT NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	first_seen DATETIME NOT NULL, 
	last_changed DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, deleted_at DATETIME, missing_since DATETIME, 
	CONSTRAINT pk_publications PRIMARY KEY (id), 
	CONSTRAINT fk_publications_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id), 
	CONSTRAINT fk_publications_venue_id_venues FOREIGN KEY(venue_id) REFERENCES venues (id), 
	CONSTRAINT uq_publications_source_id_source_key UNIQUE (source_id, source_key)
);
CREATE INDEX ix_publications_doi ON publications (doi);
CREATE TABLE authorships (
	publication_id INTEGER NOT NULL, 
	role VARCHAR(30) NOT NULL, 
	position INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	family TEXT, 
	given TEXT, 
	orcid VARCHAR(19), 
	affiliations_json TEXT NOT NULL, 
	CONSTRAINT pk_authorships PRIMARY KEY (publication_id, role, position), 
	CONSTRAINT fk_authorships_person_id_persons FOREIGN KEY(person_id) REFERENCES persons (id), 
	CONSTRAINT fk_authorships_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE INDEX ix_authorships_person_id ON authorships (person_id);
CREATE TABLE citations (
	publication_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	format VARCHAR(30) NOT NULL, 
	text TEXT NOT NULL, 
	CONSTRAINT pk_citations PRIMARY KEY (publication_id, position), 
	CONSTRAINT fk_citations_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE TABLE files (
	publication_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	url TEXT NOT NULL, 
	name TEXT, 
	mime VARCHAR(100), 
	access VARCHAR(30), 
	CONSTRAINT pk_files PRIMARY KEY (publication_id, position), 
	CONSTRAINT fk_files_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE TABLE identifiers (
	publication_id INTEGER NOT NULL, 
	scheme VARCHAR(50) NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_identifiers PRIMARY KEY (publication_id, scheme, value), 
	CONSTRAINT fk_identifiers_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE INDEX ix_identifiers_scheme_value ON identifiers (scheme, value);
CREATE TABLE keywords (
	publication_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	keyword TEXT NOT NULL, 
	CONSTRAINT pk_keywords PRIMARY KEY (publication_id, position), 
	CONSTRAINT fk_keywords_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE TABLE metrics (
	publication_id INTEGER NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	source VARCHAR(50) NOT NULL, 
	value INTEGER NOT NULL, 
	seen VARCHAR(10) NOT NULL, 
	CONSTRAINT pk_metrics PRIMARY KEY (publication_id, name, source), 
	CONSTRAINT fk_metrics_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE TABLE subjects (
	publication_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	scheme VARCHAR(50) NOT NULL, 
	term TEXT NOT NULL, 
	code VARCHAR(50), 
	weight FLOAT, 
	CONSTRAINT pk_subjects PRIMARY KEY (publication_id, position), 
	CONSTRAINT fk_subjects_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE VIEW v_publication_authors AS SELECT a.publication_id, a.position, a.family, a.given, a.name, a.orcid
        FROM authorships a
        WHERE a.role = 'author';
CREATE VIEW v_publication_keywords AS SELECT k.publication_id, k.keyword
        FROM keywords k;
CREATE TABLE oai_checkpoints (
	source_id INTEGER NOT NULL, 
	metadata_prefix VARCHAR(100), 
	set_spec TEXT, 
	window_from VARCHAR(30), 
	window_until VARCHAR(30), 
	resumption_token TEXT, 
	last_response_date VARCHAR(30), 
	harvest_mode VARCHAR(12), 
	harvest_started VARCHAR(30), 
	harvest_run INTEGER, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_oai_checkpoints PRIMARY KEY (source_id), 
	CONSTRAINT fk_oai_checkpoints_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE TABLE oai_records (
	source_id INTEGER NOT NULL, 
	source_key TEXT NOT NULL, 
	datestamp VARCHAR(30) NOT NULL, 
	oai_hash VARCHAR(64), 
	landing_url TEXT, 
	enrich_state VARCHAR(10), 
	listed_at DATETIME NOT NULL, 
	listed_run INTEGER NOT NULL, 
	CONSTRAINT pk_oai_records PRIMARY KEY (source_id, source_key), 
	CONSTRAINT fk_oai_records_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE INDEX ix_oai_records_source_id_enrich_state ON oai_records (source_id, enrich_state);
CREATE VIEW v_publications AS SELECT p.id, s.name AS source, p.url, p.platform, p.type, p.title, p.abstract, p.doi,
           p.journal, p.volume, p.issue, p.page_first, p.page_last, p.page_count,
           p.published, p.online, p.language, p.status, p.first_seen, p.last_changed,
           p.deleted_at
    FROM publications p JOIN sources s ON s.id = p.source_id;
CREATE VIRTUAL TABLE publication_fts USING fts5(title, abstract, keywords, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE VIEW v_publication_identifiers AS SELECT p.id AS publication_id, 'doi' AS scheme, p.doi AS value
        FROM publications p
        WHERE p.doi IS NOT NULL
        UNION ALL
        SELECT i.publication_id, i.scheme, i.value
        FROM identifiers i;
CREATE VIEW v_publication_subjects AS SELECT s.publication_id, s.position, s.scheme, s.term, s.code, s.weight
        FROM subjects s;
CREATE TABLE harvest_run_fill_rates (
	run_id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	field VARCHAR(20) NOT NULL, 
	filled INTEGER NOT NULL, 
	records INTEGER NOT NULL, 
	CONSTRAINT pk_harvest_run_fill_rates PRIMARY KEY (run_id, source_id, field), 
	CONSTRAINT fk_harvest_run_fill_rates_run_id_harvest_runs FOREIGN KEY(run_id) REFERENCES harvest_runs (id) ON DELETE CASCADE, 
	CONSTRAINT fk_harvest_run_fill_rates_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id)
);
CREATE INDEX ix_harvest_run_fill_rates_source_id_run_id ON harvest_run_fill_rates (source_id, run_id);
CREATE VIEW v_harvest_runs AS SELECT r.id AS run_id, s.name AS source, r.started_at, r.finished_at, r.status,
           rs.fetched, rs.not_modified, rs.new, rs.changed, rs.unchanged, rs.failed,
           rs.seconds
    FROM harvest_runs r
    JOIN harvest_run_sources rs ON rs.run_id = r.id
    JOIN sources s ON s.id = rs.source_id;
CREATE TABLE works (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_works PRIMARY KEY (id)
);
CREATE TABLE work_members (
	publication_id INTEGER NOT NULL, 
	work_id INTEGER NOT NULL, 
	reason VARCHAR(20) NOT NULL, 
	score FLOAT NOT NULL, 
	matched_with INTEGER, 
	matched_json TEXT NOT NULL, 
	decided_at DATETIME NOT NULL, 
	match_doi TEXT, 
	match_title TEXT, 
	match_year VARCHAR(4), 
	match_author TEXT, 
	match_type VARCHAR(50), 
	CONSTRAINT pk_work_members PRIMARY KEY (publication_id), 
	CONSTRAINT fk_work_members_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE, 
	CONSTRAINT fk_work_members_work_id_works FOREIGN KEY(work_id) REFERENCES works (id)
);
CREATE INDEX ix_work_members_work_id ON work_members (work_id);
CREATE INDEX ix_work_members_match_doi ON work_members (match_doi);
CREATE INDEX ix_work_members_match_author_match_year ON work_members (match_author, match_year);
CREATE TABLE work_overrides (
	id INTEGER NOT NULL, 
	publication_id INTEGER NOT NULL, 
	action VARCHAR(10) NOT NULL, 
	other_publication_id INTEGER, 
	decided_at DATETIME NOT NULL, 
	note TEXT, 
	CONSTRAINT pk_work_overrides PRIMARY KEY (id), 
	CONSTRAINT fk_work_overrides_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE, 
	CONSTRAINT fk_work_overrides_other_publication_id_publications FOREIGN KEY(other_publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE INDEX ix_work_overrides_publication_id ON work_overrides (publication_id);
CREATE INDEX ix_work_overrides_other_publication_id ON work_overrides (other_publication_id);
CREATE TABLE publication_versions (
	publication_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	changed_at DATETIME NOT NULL, 
	change VARCHAR(10) NOT NULL, 
	fetch_url TEXT, 
	fetch_sha256 VARCHAR(64), 
	changed_fields TEXT, 
	diff_json TEXT, 
	CONSTRAINT pk_publication_versions PRIMARY KEY (publication_id, version), 
	CONSTRAINT fk_publication_versions_publication_id_publications FOREIGN KEY(publication_id) REFERENCES publications (id) ON DELETE CASCADE
);
CREATE INDEX ix_publication_versions_changed_at ON publication_versions (changed_at);
CREATE VIEW v_works AS SELECT b.work_id, b.title, b.doi, b.published, b.type, b.journal,
               c.n_sources, c.n_publications
        FROM (SELECT m.work_id, p.title, p.doi, p.published, p.type, p.journal,
                     row_number() OVER (PARTITION BY m.work_id
                                        ORDER BY CASE WHEN p.title IS NULL THEN 0 ELSE 1 END + CASE WHEN p.abstract IS NULL THEN 0 ELSE 1 END + CASE WHEN p.doi IS NULL THEN 0 ELSE 1 END + CASE WHEN p.journal IS NULL THEN 0 ELSE 1 END + CASE WHEN p.volume IS NULL THEN 0 ELSE 1 END + CASE WHEN p.issue IS NULL THEN 0 ELSE 1 END + CASE WHEN p.page_first IS NULL THEN 0 ELSE 1 END + CASE WHEN p.page_last IS NULL THEN 0 ELSE 1 END + CASE WHEN p.published IS NULL THEN 0 ELSE 1 END + CASE WHEN p.type IS NULL THEN 0 ELSE 1 END + CASE WHEN p.language IS NULL THEN 0 ELSE 1 END + CASE WHEN p.publisher IS NULL THEN 0 ELSE 1 END DESC, p.first_seen, p.id) AS pick
              FROM work_members m JOIN publications p ON p.id = m.publication_id) b
        JOIN (SELECT m.work_id, count(DISTINCT p.source_id) AS n_sources,
                     count(*) AS n_publications
              FROM work_members m JOIN publications p ON p.id = m.publication_id
              GROUP BY m.work_id) c ON c.work_id = b.work_id
        WHERE b.pick = 1;
CREATE VIEW v_work_sources AS SELECT m.work_id, m.publication_id, s.name AS source, p.url, m.reason
        FROM work_members m
        JOIN publications p ON p.id = m.publication_id
        JOIN sources s ON s.id = p.source_id;
CREATE VIEW v_publication_versions AS SELECT v.publication_id, v.version, v.changed_at, v.change, v.changed_fields,
               v.diff_json AS diff, v.fetch_url, v.fetch_sha256
        FROM publication_versions v;
CREATE TABLE frontier (
	id INTEGER NOT NULL, 
	source_id INTEGER NOT NULL, 
	url TEXT NOT NULL, 
	host TEXT NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	lease_owner TEXT, 
	lease_until DATETIME, 
	attempts INTEGER NOT NULL, 
	error_reason VARCHAR(50), 
	enqueued_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	CONSTRAINT pk_frontier PRIMARY KEY (id), 
	CONSTRAINT fk_frontier_source_id_sources FOREIGN KEY(source_id) REFERENCES sources (id), 
	CONSTRAINT uq_frontier_source_id_url UNIQUE (source_id, url)
);
CREATE INDEX ix_frontier_state_host ON frontier (state, host);
CREATE INDEX ix_frontier_lease_owner ON frontier (lease_owner);
CREATE TABLE frontier_hosts (
	host TEXT NOT NULL, 
	concurrency INTEGER NOT NULL, 
	delay FLOAT NOT NULL, 
	next_start DATETIME, 
	CONSTRAINT pk_frontier_hosts PRIMARY KEY (host)
);
CREATE TABLE host_leases (
	host TEXT NOT NULL, 
	slot INTEGER NOT NULL, 
	owner TEXT, 
	expires_at DATETIME, 
	CONSTRAINT pk_host_leases PRIMARY KEY (host, slot)
);
CREATE INDEX ix_host_leases_owner ON host_leases (owner);
CREATE TABLE publication_fts_pending (publication_id INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER publication_fts_mark_ai AFTER INSERT ON publications BEGIN INSERT OR IGNORE INTO publication_fts_pending (publication_id) VALUES (new.id); END;
CREATE TRIGGER publication_fts_mark_au AFTER UPDATE OF title, subtitle, abstract, record_json ON publications WHEN old.title IS NOT new.title OR old.subtitle IS NOT new.subtitle OR old.abstract IS NOT new.abstract OR old.record_json IS NOT new.record_json BEGIN INSERT OR IGNORE INTO publication_fts_pending (publication_id) VALUES (new.id); END;
CREATE TRIGGER publication_fts_mark_ad AFTER DELETE ON publications BEGIN INSERT OR IGNORE INTO publication_fts_pending (publication_id) VALUES (old.id); END;
