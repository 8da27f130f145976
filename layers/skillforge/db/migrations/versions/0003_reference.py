"""Reference layer: versioned O*NET release schemas, the public views onto the current release, import runs.

Each O*NET release lives in its own schema `onet_r<major>_<minor>` (see docs/reference-schema.md). The
functions below are the one place that defines a release schema:
- `sf_onet_create_tables(schema)` creates the tables without secondary indexes (COPY first, indexes after);
- `sf_onet_build_indexes(schema)` adds primary keys, foreign keys and search indexes after the load;
- `sf_onet_publish(release)` re-points every public view at the release's schema, grants the application
  role read access and flips `onet_releases.status`, all inside the caller's transaction.
An empty placeholder release `0.0` (schema `onet_r0_0`) is current until the first import, so the public
views always exist.

Revision ID: 0003_reference
Revises: 0002_people
"""

from alembic import op

revision = "0003_reference"
down_revision = "0002_people"
branch_labels = None
depends_on = None

# The public names (DESIGN.md) plus the other tables of a release schema, in publish order.
RELEASE_VIEWS = (
    "occupations",
    "occupation_titles",
    "skills",
    "skill_aliases",
    "skill_clusters",
    "occupation_skills",
    "knowledge",
    "occupation_knowledge",
    "abilities",
    "occupation_abilities",
    "occupation_technology_skills",
    "occupation_tasks",
    "related_occupations",
    "occupation_interests",
    "occupation_work_values",
    "occupation_work_styles",
    "occupation_work_context",
    "occupation_education",
    "job_zone_reference",
    "content_model",
    "scales",
    "education_categories",
    "work_context_categories",
    "soc_groups",
    "occupation_jaat",
    "jaat_to_onet",
)

CREATE_TABLES = r"""
CREATE OR REPLACE FUNCTION sf_onet_create_tables(p_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  element_cols constant text := '(element_id text NOT NULL, name text NOT NULL, description text,
      category text, parent_id text, difficulty smallint CHECK (difficulty BETWEEN 1 AND 5), cluster text,
      related_skill_ids text[] NOT NULL DEFAULT ''{}'', occupation_count integer NOT NULL DEFAULT 0,
      level_p50 numeric, hot_technology boolean, in_demand boolean, commodity_code text)';
  rating_cols constant text := '(onet_code text NOT NULL, element_id text NOT NULL,
      importance numeric, level numeric,
      im_n integer, im_standard_error numeric, im_lower_ci numeric, im_upper_ci numeric, im_recommend_suppress boolean,
      lv_n integer, lv_standard_error numeric, lv_lower_ci numeric, lv_upper_ci numeric, lv_recommend_suppress boolean,
      recommend_suppress boolean NOT NULL DEFAULT false, not_relevant boolean NOT NULL DEFAULT false,
      use_for_matching boolean NOT NULL DEFAULT true, date text, domain_source text)';
BEGIN
  IF p_schema !~ '^onet_[a-z0-9_]+$' THEN
    RAISE EXCEPTION 'invalid release schema name %', p_schema;
  END IF;
  EXECUTE format('CREATE SCHEMA %I', p_schema);
  EXECUTE format($$CREATE TABLE %I.occupations (
      onet_code text NOT NULL, soc_code text NOT NULL, title text NOT NULL, description text,
      job_zone smallint CHECK (job_zone BETWEEN 1 AND 5),
      soc_major_group text NOT NULL, soc_major_title text, soc_minor_group text, soc_minor_title text,
      soc_broad_group text, soc_broad_title text, family text,
      education_level text, education_category smallint, education_percent numeric,
      wage_median numeric, wage_p10 numeric, wage_p90 numeric,
      wage_hourly_median numeric, wage_hourly_p10 numeric, wage_hourly_p90 numeric,
      hourly_only boolean, employment integer,
      annual_openings integer, outlook_percent numeric, employment_change integer,
      entry_education text, work_experience text, on_the_job_training text,
      interest_code text, has_ratings boolean NOT NULL DEFAULT false,
      wage_soc_code text, projection_soc_code text,
      search_vector tsvector)$$, p_schema);
  EXECUTE format($$CREATE TABLE %I.occupation_titles (
      onet_code text NOT NULL, title text NOT NULL,
      title_type text NOT NULL CHECK (title_type IN ('official', 'alternate', 'short', 'reported')),
      sources text, shown_in_my_next_move boolean,
      normalized text GENERATED ALWAYS AS (sf_normalize(title)) STORED)$$, p_schema);
  EXECUTE format('CREATE TABLE %I.skills %s', p_schema, element_cols);
  EXECUTE format($$ALTER TABLE %I.skills ADD CHECK (category IN ('basic', 'cross_functional', 'technical'))$$,
                 p_schema);
  EXECUTE format('CREATE TABLE %I.knowledge %s', p_schema, element_cols);
  EXECUTE format('CREATE TABLE %I.abilities %s', p_schema, element_cols);
  EXECUTE format('CREATE TABLE %I.occupation_skills %s', p_schema, rating_cols);
  EXECUTE format('CREATE TABLE %I.occupation_knowledge %s', p_schema, rating_cols);
  EXECUTE format('CREATE TABLE %I.occupation_abilities %s', p_schema, rating_cols);
  EXECUTE format($$CREATE TABLE %I.skill_aliases (
      alias text NOT NULL, element_id text NOT NULL, source text NOT NULL, weight real NOT NULL,
      alias_normalized text GENERATED ALWAYS AS (sf_skill_key(alias)) STORED)$$, p_schema);
  EXECUTE format('CREATE TABLE %I.skill_clusters (cluster text NOT NULL, element_id text NOT NULL,
      cluster_type text NOT NULL)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_technology_skills (onet_code text NOT NULL,
      element_id text NOT NULL, example text NOT NULL, commodity_code text, commodity_title text,
      hot_technology boolean NOT NULL DEFAULT false, in_demand boolean NOT NULL DEFAULT false)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_tasks (onet_code text NOT NULL, task_id integer NOT NULL,
      task text NOT NULL, task_type text, incumbents_responding integer, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.related_occupations (onet_code text NOT NULL, related_onet_code text NOT NULL,
      tier text NOT NULL, rank smallint NOT NULL)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_interests (onet_code text NOT NULL, element_id text NOT NULL,
      riasec char(1), scale_id text NOT NULL, score numeric, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_work_values (onet_code text NOT NULL, element_id text NOT NULL,
      name text, scale_id text NOT NULL, value numeric, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_work_styles (onet_code text NOT NULL, element_id text NOT NULL,
      name text, importance numeric, n integer, standard_error numeric, lower_ci numeric, upper_ci numeric,
      recommend_suppress boolean NOT NULL DEFAULT false, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_work_context (onet_code text NOT NULL, element_id text NOT NULL,
      name text, scale_id text NOT NULL, category smallint, value numeric, n integer, standard_error numeric,
      lower_ci numeric, upper_ci numeric, recommend_suppress boolean NOT NULL DEFAULT false,
      not_relevant boolean NOT NULL DEFAULT false, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.occupation_education (onet_code text NOT NULL, element_id text NOT NULL,
      scale_id text NOT NULL, category smallint NOT NULL, percent numeric, n integer, standard_error numeric,
      recommend_suppress boolean NOT NULL DEFAULT false, date text, domain_source text)', p_schema);
  EXECUTE format('CREATE TABLE %I.job_zone_reference (job_zone smallint NOT NULL, name text NOT NULL,
      experience text, education text, job_training text, examples text, svp_range text)', p_schema);
  EXECUTE format('CREATE TABLE %I.content_model (element_id text NOT NULL, name text NOT NULL,
      description text, parent_id text)', p_schema);
  EXECUTE format('CREATE TABLE %I.scales (scale_id text NOT NULL, name text NOT NULL, minimum numeric NOT NULL,
      maximum numeric NOT NULL)', p_schema);
  EXECUTE format('CREATE TABLE %I.education_categories (element_id text NOT NULL, scale_id text NOT NULL,
      category smallint NOT NULL, description text NOT NULL)', p_schema);
  EXECUTE format('CREATE TABLE %I.work_context_categories (element_id text NOT NULL, scale_id text NOT NULL,
      category smallint NOT NULL, description text NOT NULL)', p_schema);
  EXECUTE format($$CREATE TABLE %I.soc_groups (code text NOT NULL,
      level text NOT NULL CHECK (level IN ('major', 'minor', 'broad', 'detailed')), title text NOT NULL,
      source text NOT NULL)$$, p_schema);
  EXECUTE format($$CREATE TABLE %I.occupation_jaat (onet_code text NOT NULL, record jsonb NOT NULL,
      provenance text NOT NULL CHECK (provenance IN ('generated', 'curated')), curated_fields text[] NOT NULL
      DEFAULT '{}', curated_source text)$$, p_schema);
  EXECUTE format($$CREATE TABLE %I.jaat_to_onet (jaat_id text NOT NULL, onet_code text NOT NULL,
      provenance text NOT NULL CHECK (provenance IN ('generated', 'curated')))$$, p_schema);
END $fn$"""

BUILD_INDEXES = r"""
CREATE OR REPLACE FUNCTION sf_onet_build_indexes(p_schema text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  t text;
BEGIN
  EXECUTE format('ALTER TABLE %I.occupations ADD PRIMARY KEY (onet_code)', p_schema);
  EXECUTE format('ALTER TABLE %I.skills ADD PRIMARY KEY (element_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.knowledge ADD PRIMARY KEY (element_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.abilities ADD PRIMARY KEY (element_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.content_model ADD PRIMARY KEY (element_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.scales ADD PRIMARY KEY (scale_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.job_zone_reference ADD PRIMARY KEY (job_zone)', p_schema);
  EXECUTE format('ALTER TABLE %I.soc_groups ADD PRIMARY KEY (code)', p_schema);
  EXECUTE format('ALTER TABLE %I.occupation_jaat ADD PRIMARY KEY (onet_code)', p_schema);
  EXECUTE format('ALTER TABLE %I.jaat_to_onet ADD PRIMARY KEY (jaat_id, onet_code)', p_schema);
  EXECUTE format('ALTER TABLE %I.occupation_tasks ADD PRIMARY KEY (onet_code, task_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.related_occupations ADD PRIMARY KEY (onet_code, related_onet_code)', p_schema);
  EXECUTE format('ALTER TABLE %I.skill_clusters ADD PRIMARY KEY (cluster, element_id)', p_schema);
  EXECUTE format('ALTER TABLE %I.occupation_technology_skills ADD PRIMARY KEY (onet_code, element_id, example)',
                 p_schema);
  FOREACH t IN ARRAY ARRAY['skills', 'knowledge', 'abilities'] LOOP
    EXECUTE format('ALTER TABLE %I.occupation_%s ADD PRIMARY KEY (onet_code, element_id)', p_schema, t);
    EXECUTE format('CREATE INDEX ON %I.occupation_%s (element_id, importance DESC)', p_schema, t);
    EXECUTE format('ALTER TABLE %1$I.occupation_%2$s ADD FOREIGN KEY (onet_code) REFERENCES %1$I.occupations',
                   p_schema, t);
    EXECUTE format('ALTER TABLE %1$I.occupation_%2$s ADD FOREIGN KEY (element_id) REFERENCES %1$I.%2$s',
                   p_schema, t);
  END LOOP;
  EXECUTE format('ALTER TABLE %1$I.occupation_technology_skills ADD FOREIGN KEY (onet_code)
                  REFERENCES %1$I.occupations', p_schema);
  EXECUTE format('ALTER TABLE %1$I.occupation_technology_skills ADD FOREIGN KEY (element_id)
                  REFERENCES %1$I.skills', p_schema);
  EXECUTE format('CREATE INDEX ON %I.occupation_technology_skills (element_id)', p_schema);
  EXECUTE format('ALTER TABLE %1$I.occupation_tasks ADD FOREIGN KEY (onet_code) REFERENCES %1$I.occupations',
                 p_schema);
  EXECUTE format('ALTER TABLE %1$I.related_occupations ADD FOREIGN KEY (onet_code) REFERENCES %1$I.occupations',
                 p_schema);
  EXECUTE format('ALTER TABLE %1$I.related_occupations ADD FOREIGN KEY (related_onet_code)
                  REFERENCES %1$I.occupations', p_schema);
  EXECUTE format('CREATE INDEX ON %I.related_occupations (related_onet_code)', p_schema);
  EXECUTE format('ALTER TABLE %1$I.occupation_jaat ADD FOREIGN KEY (onet_code) REFERENCES %1$I.occupations',
                 p_schema);
  EXECUTE format('ALTER TABLE %1$I.jaat_to_onet ADD FOREIGN KEY (onet_code) REFERENCES %1$I.occupations',
                 p_schema);
  EXECUTE format('CREATE INDEX ON %I.jaat_to_onet (onet_code)', p_schema);
  FOREACH t IN ARRAY ARRAY['occupation_titles', 'occupation_interests', 'occupation_work_values',
                           'occupation_work_styles', 'occupation_work_context', 'occupation_education'] LOOP
    EXECUTE format('CREATE INDEX ON %I.%I (onet_code)', p_schema, t);
  END LOOP;
  EXECUTE format('CREATE INDEX ON %I.occupations (soc_code)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.occupations (soc_major_group)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.occupations USING gin (search_vector)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.occupations USING gin (sf_normalize(title) gin_trgm_ops)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.occupation_titles USING gin (normalized gin_trgm_ops)', p_schema);
  EXECUTE format($$CREATE INDEX ON %I.occupation_titles USING gin (to_tsvector('english', title))$$, p_schema);
  EXECUTE format('CREATE INDEX ON %I.skill_aliases (alias_normalized)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.skill_aliases USING gin (alias_normalized gin_trgm_ops)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.skill_aliases (element_id)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.skills USING gin (sf_normalize(name) gin_trgm_ops)', p_schema);
  EXECUTE format('CREATE INDEX ON %I.skill_clusters (element_id)', p_schema);
END $fn$"""

VIEW_LIST = "ARRAY[" + ", ".join(f"'{v}'" for v in RELEASE_VIEWS) + "]"

PUBLISH = r"""
CREATE OR REPLACE FUNCTION sf_onet_publish(p_release text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_schema text;
  v text;
BEGIN
  SELECT schema_name INTO v_schema FROM onet_releases WHERE release = p_release FOR UPDATE;
  IF v_schema IS NULL THEN
    RAISE EXCEPTION 'unknown O*NET release %', p_release;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = v_schema) THEN
    RAISE EXCEPTION 'schema % of release % does not exist (dropped?)', v_schema, p_release;
  END IF;
  PERFORM 1 FROM onet_releases FOR UPDATE;  -- serialise concurrent publishes
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO skillforge_app', v_schema);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO skillforge_app', v_schema);
  FOREACH v IN ARRAY __VIEWS__ LOOP
    BEGIN
      EXECUTE format('CREATE OR REPLACE VIEW public.%I AS SELECT * FROM %I.%I', v, v_schema, v);
    EXCEPTION WHEN invalid_table_definition OR feature_not_supported OR datatype_mismatch THEN
      -- a release schema created by an older version of sf_onet_create_tables has other columns
      EXECUTE format('DROP VIEW public.%I', v);
      EXECUTE format('CREATE VIEW public.%I AS SELECT * FROM %I.%I', v, v_schema, v);
    END;
    EXECUTE format('GRANT SELECT ON public.%I TO skillforge_app', v);
  END LOOP;
  UPDATE onet_releases SET status = 'retired', retired_at = now()
   WHERE status = 'current' AND release <> p_release;
  UPDATE onet_releases SET status = 'current', made_current_at = now(), retired_at = NULL
   WHERE release = p_release;
END $fn$""".replace("__VIEWS__", VIEW_LIST)

# Key for skill-name look-ups: lower case, no accents, punctuation to spaces (keeping + # . of C++, C#,
# .NET), generic words dropped, so "Python Programming" and "python" meet; a name made only of generic words
# ("Programming") keeps them.
SKILL_KEY = r"""
CREATE OR REPLACE FUNCTION sf_skill_key(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
  SELECT coalesce(nullif(btrim(regexp_replace(regexp_replace(b,
    '(^| )(programming|programing|language|languages|software|skills?|development|developer|framework|tools?|the|of|and|for)(?= |$)',
    ' ', 'g'), ' +', ' ', 'g')), ''), b)
  FROM (SELECT btrim(regexp_replace(regexp_replace(sf_normalize($1), '[^a-z0-9+#.]+', ' ', 'g'), ' +', ' ', 'g')) AS b) k
$fn$"""


def upgrade() -> None:
    op.execute(SKILL_KEY)
    op.execute(CREATE_TABLES)
    op.execute(BUILD_INDEXES)
    op.execute(PUBLISH)
    # Every import attempt, including failed and unchanged ones, with its validation report and timings.
    op.execute("""
    CREATE TABLE onet_import_runs (
      id           bigserial PRIMARY KEY,
      release      text,
      source       text NOT NULL,
      fingerprint  text,
      outcome      text NOT NULL CHECK (outcome IN ('running', 'published', 'unchanged', 'failed')),
      report       jsonb NOT NULL DEFAULT '{}'::jsonb,
      started_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz
    )""")
    op.execute("CREATE INDEX onet_import_runs_release_idx ON onet_import_runs (release, started_at DESC)")
    op.execute("GRANT SELECT ON onet_import_runs TO skillforge_app")
    # The empty placeholder release keeps the public views defined before the first import.
    op.execute("SELECT sf_onet_create_tables('onet_r0_0')")
    op.execute("SELECT sf_onet_build_indexes('onet_r0_0')")
    op.execute("""INSERT INTO onet_releases (release, schema_name, status, source, fingerprint, loaded_at)
                  VALUES ('0.0', 'onet_r0_0', 'validated', 'empty placeholder (migration 0003_reference)',
                          'empty', now())""")
    op.execute("SELECT sf_onet_publish('0.0')")


def downgrade() -> None:
    for view in reversed(RELEASE_VIEWS):
        op.execute(f"DROP VIEW IF EXISTS public.{view}")
    op.execute("""
    DO $$ DECLARE s text; BEGIN
      FOR s IN SELECT nspname FROM pg_namespace WHERE nspname ~ '^onet_(r[0-9_]+|load_[a-z0-9_]+|old_[a-z0-9_]+)$' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
      END LOOP;
    END $$""")
    op.execute("DELETE FROM release_changelog")
    # occupation_codes stay (people data references them), and so do the releases they name.
    op.execute("UPDATE onet_releases SET status = 'retired', retired_at = now() WHERE status = 'current'")
    op.execute("""DELETE FROM onet_releases r WHERE NOT EXISTS (SELECT 1 FROM occupation_codes c
                  WHERE c.first_release = r.release OR c.last_release = r.release)""")
    op.execute("DROP TABLE IF EXISTS onet_import_runs")
    op.execute(
        "DROP FUNCTION IF EXISTS sf_onet_publish(text), sf_onet_build_indexes(text), "
        "sf_onet_create_tables(text), sf_skill_key(text)"
    )
