-- pixplot catalog: the documented shape of the shared .db file (schema version 2).
--
-- One SQLite file holds a whole image collection, ingested once:
--   images + metadata, tags, thumbnails, embeddings (one vector table per model),
--   ingest problems, and any number of plots cut from the collection by SQL filters.
-- The original images are not needed once they are ingested.
--
-- Every table below is plain SQLite and opens in the sqlite3 CLI. The only extension
-- objects are the per-model sqlite-vec indexes `vec_model_<id>` (vec0 virtual tables,
-- created by pixplot when a model is first used). The same vectors are kept in
-- `embeddings` as plain float32 BLOBs, so the file stays readable without sqlite-vec.
--
-- This file is applied by pixplot itself (it is embedded in the binary): the code has
-- no other copy of the schema. All statements are idempotent. A file made by an older
-- pixplot is brought to this shape by migrations/NNN_*.sql, applied in order when the
-- file is opened for writing (settings.schema_version says which have run).

CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,  -- schema_version, created_at, active_model (models.id that search and plots use by default),
                           -- vectors_generation (bumped by every write of vectors: similar-search indexes check it)
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per ingested image.
CREATE TABLE IF NOT EXISTS images (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL UNIQUE,      -- where the bytes were read: absolute file path or URL
  path        TEXT NOT NULL,             -- path relative to the ingest root (metadata join key); URL for remote images
  filename    TEXT NOT NULL,             -- base name of path
  sha256      TEXT NOT NULL,             -- hex SHA-256 of the file's bytes
  byte_size   INTEGER NOT NULL,
  mtime_ns    INTEGER NOT NULL DEFAULT 0, -- modification time when read (lets re-ingest skip unchanged files)
  width       INTEGER NOT NULL,          -- pixels, after EXIF orientation
  height      INTEGER NOT NULL,
  format      TEXT NOT NULL,             -- jpeg, png, gif, webp, bmp, tiff
  -- PixPlot's metadata columns (NULL when absent)
  category    TEXT,
  description TEXT,
  permalink   TEXT,
  year        INTEGER,
  label       TEXT,                      -- class used by supervised UMAP
  lat         REAL CHECK (lat BETWEEN -90 AND 90),
  lng         REAL CHECK (lng BETWEEN -180 AND 180),
  x           REAL,                      -- custom layout position
  y           REAL,
  extra       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra)), -- every other metadata column: {"column": "value"}
  ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS images_path     ON images(path);
CREATE INDEX IF NOT EXISTS images_filename ON images(filename);
CREATE INDEX IF NOT EXISTS images_category ON images(category);
CREATE INDEX IF NOT EXISTS images_year     ON images(year);

-- Normalised tags (from the metadata `tags` column, pipe-separated).
CREATE TABLE IF NOT EXISTS tags (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS image_tags (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (image_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS image_tags_by_tag ON image_tags(tag_id, image_id);

-- JPEG thumbnails. The atlases of every plot are packed from these.
--   cell:    32 px tall (atlas cells of the zoomed-out view)
--   lod:     128 px tall (the higher-resolution tier shown when zoomed in)
--   preview: 256 px on the long side (lightbox, similar-image strips)
CREATE TABLE IF NOT EXISTS thumbnails (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  size     TEXT NOT NULL CHECK (size IN ('cell', 'lod', 'preview')),
  width    INTEGER NOT NULL,
  height   INTEGER NOT NULL,
  jpeg     BLOB NOT NULL,
  PRIMARY KEY (image_id, size)
);

-- Embedding models. Vectors of different models never mix: each model has its own
-- vector table, and switching models re-embeds into a new one, keeping the old.
-- A model is identified by (file_sha256, output, preprocess); its vector table is
--   CREATE VIRTUAL TABLE vec_model_<id> USING vec0(image_id INTEGER PRIMARY KEY, embedding float[<dims>])
-- created with the model row. It uses sqlite-vec's default L2 metric on unit vectors:
-- the same ranking as cosine (cosine distance = L2² / 2) and SIMD-accelerated.
-- vec0 tables have no foreign keys: pixplot deletes their rows with the image.
CREATE TABLE IF NOT EXISTS models (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,            -- inception_v3, mobilenet_v2, or a user model's file name
  file_sha256  TEXT NOT NULL,            -- of the .onnx file
  output       TEXT NOT NULL,            -- output tensor embedded (e.g. mixed7_gap)
  dims         INTEGER NOT NULL,
  preprocess   TEXT NOT NULL CHECK (json_valid(preprocess)), -- {"input","size","layout","scale"}
  vector_table TEXT NOT NULL UNIQUE,     -- its sqlite-vec table: vec_model_<id>
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (file_sha256, output, preprocess)
);

-- Plain copy of every vector: little-endian float32 × dims, L2-normalised. Bulk reads
-- (UMAP input, export, rebuilding a vec table) use this table, never a vec0 scan.
-- A rowid table on purpose: rows are kilobytes, and counting or probing them by
-- (model_id, image_id) then reads only the small index, not the vectors.
CREATE TABLE IF NOT EXISTS embeddings (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  vector   BLOB NOT NULL,
  PRIMARY KEY (model_id, image_id)
);

-- Ingest runs and the problems they met. A problem row is removed once its path
-- ingests cleanly, so this table lists what is still wrong.
CREATE TABLE IF NOT EXISTS ingest_runs (
  id          INTEGER PRIMARY KEY,
  spec        TEXT NOT NULL,             -- the --images argument
  metadata    TEXT,                      -- the --metadata argument
  model_id    INTEGER REFERENCES models(id),
  started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at TEXT,
  summary     TEXT CHECK (summary IS NULL OR json_valid(summary))
);
CREATE TABLE IF NOT EXISTS ingest_errors (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER REFERENCES ingest_runs(id) ON DELETE SET NULL,
  path    TEXT NOT NULL,                 -- image path, or metadata file (with row and column in message)
  stage   TEXT NOT NULL,                 -- discover, read, decode, metadata, embed, store
  message TEXT NOT NULL,
  at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS ingest_errors_path ON ingest_errors(path);

-- Full-text search over filename, category, tags and description; rowid = images.id.
CREATE VIRTUAL TABLE IF NOT EXISTS image_search USING fts5(
  filename, category, tags, description,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- Metadata columns beyond PixPlot's, in first-seen order. Each is a column of the
-- `catalog` view (pixplot rebuilds the view when this list grows).
CREATE TABLE IF NOT EXISTS extra_columns (
  name     TEXT PRIMARY KEY,
  position INTEGER NOT NULL
) WITHOUT ROWID;

-- The built-in columns of the `catalog` view, one row per image. `tags` is a JSON
-- array of the image's tag names.
CREATE VIEW IF NOT EXISTS catalog_base AS
SELECT i.id, i.filename, i.path, i.source, i.category, i.year, i.description, i.permalink, i.label,
       i.lat, i.lng, i.x, i.y, i.width, i.height, i.format, i.byte_size, i.sha256, i.ingested_at,
       (SELECT json_group_array(t.name) FROM image_tags it JOIN tags t ON t.id = it.tag_id
         WHERE it.image_id = i.id) AS tags,
       i.extra
  FROM images i;

-- The stable view that plot filters (--where) are written against: catalog_base plus
-- one column per row of extra_columns, in position order. pixplot replaces this view
-- whenever extra_columns grows, with
--   SELECT b.*, json_extract(b.extra, '$."<name>"') AS "<name>", ... FROM catalog_base b
-- (names holding " or \ are read through json_each instead). An extra column whose
-- name equals a built-in column, ignoring case, is named extra_<name> in the view.
-- In a plot filter, has_tag('x') is true when the image has tag x (exact match); inside
-- pixplot has_tag(tags, 'x') is a function too. In plain SQLite write
-- EXISTS (SELECT 1 FROM json_each(tags) WHERE value = 'x').
CREATE VIEW IF NOT EXISTS catalog AS SELECT * FROM catalog_base;

-- Plots: a frozen subset of the catalog, projected and clustered, with its layouts and atlases.
CREATE TABLE IF NOT EXISTS plots (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a run that lost its plot cannot write into the next
  name        TEXT NOT NULL UNIQUE,
  filter      TEXT NOT NULL DEFAULT '',  -- the WHERE expression over `catalog` ('' = all images), tags and categories included
  params      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)), -- UMAP/HDBSCAN/atlas options the plot was computed with
  fingerprint TEXT NOT NULL,             -- hash of filter + model + params: same fingerprint, same plot
  model_id    INTEGER REFERENCES models(id),
  status      TEXT NOT NULL CHECK (status IN ('running', 'ready', 'failed')),
  progress    TEXT,                      -- current stage while running
  pid         INTEGER,                   -- process computing it, while running
  host        TEXT,                      -- … and its host name
  heartbeat_at TEXT,                     -- last sign of life of that process
  error       TEXT,                      -- message when failed
  warnings    TEXT CHECK (warnings IS NULL OR json_valid(warnings)), -- what was made worse than asked
  image_count INTEGER NOT NULL DEFAULT 0,
  timings     TEXT CHECK (timings IS NULL OR json_valid(timings)), -- seconds per stage
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at TEXT
);

-- The plot's images in plot order; every per-image array below follows this order.
CREATE TABLE IF NOT EXISTS plot_images (
  plot_id  INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  image_id INTEGER NOT NULL,
  PRIMARY KEY (plot_id, position)
) WITHOUT ROWID;

-- Layouts: positions are little-endian float32 (x, y) pairs in plot order, normalised
-- to [-1, 1] with the aspect ratio kept. labels: [{"text","x","y"}] for category/date.
-- umap-… layouts are variants of umap (other UMAP settings, or jittered onto a point
-- grid so images do not overlap); variant says which: {"n_neighbors","min_dist","jitter"}.
CREATE TABLE IF NOT EXISTS plot_layouts (
  plot_id   INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  layout    TEXT NOT NULL CHECK (layout IN ('umap', 'grid', 'categorical', 'date', 'geographic', 'custom') OR layout GLOB 'umap-?*'),
  positions BLOB NOT NULL,
  labels    TEXT CHECK (labels IS NULL OR json_valid(labels)),
  cell_size REAL NOT NULL DEFAULT 0,     -- side of one image's cell in layout units
  variant   TEXT CHECK (variant IS NULL OR json_valid(variant)), -- umap and umap-… layouts: {n_neighbors, min_dist, jitter}
  PRIMARY KEY (plot_id, layout)
);  -- a rowid table: positions are megabytes for large plots

-- Hotspots (HDBSCAN clusters). members: JSON array of plot positions.
CREATE TABLE IF NOT EXISTS hotspots (
  plot_id    INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  id         INTEGER NOT NULL,
  label      TEXT NOT NULL,
  size       INTEGER NOT NULL,
  centroid_x REAL NOT NULL,
  centroid_y REAL NOT NULL,
  exemplars  TEXT NOT NULL CHECK (json_valid(exemplars)), -- image ids, most central first
  members    TEXT NOT NULL CHECK (json_valid(members)),
  rank       INTEGER NOT NULL DEFAULT 0, -- place in the viewer's hotspot list, first = 0 (ties: by id)
  -- 'user': made by hand; kept when the plot is recomputed. While the plot is
  -- not ready, a user hotspot carried over from the plot it replaces lists
  -- image ids as members (mapped to positions when it finishes).
  origin     TEXT NOT NULL DEFAULT 'hdbscan' CHECK (origin IN ('hdbscan', 'user')),
  PRIMARY KEY (plot_id, id)
);

-- Texture atlases: square JPEGs of packed thumbnails; tier = cell height in px.
CREATE TABLE IF NOT EXISTS atlases (
  plot_id INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  tier    INTEGER NOT NULL,
  idx     INTEGER NOT NULL,
  width   INTEGER NOT NULL,
  height  INTEGER NOT NULL,
  jpeg    BLOB NOT NULL,
  PRIMARY KEY (plot_id, tier, idx)
);

-- Where each plot image sits in its tier's atlases (pixel rectangle).
CREATE TABLE IF NOT EXISTS atlas_cells (
  plot_id  INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  tier     INTEGER NOT NULL,
  position INTEGER NOT NULL,
  atlas    INTEGER NOT NULL,
  x        INTEGER NOT NULL,
  y        INTEGER NOT NULL,
  w        INTEGER NOT NULL,
  h        INTEGER NOT NULL,
  PRIMARY KEY (plot_id, tier, position)
) WITHOUT ROWID;
