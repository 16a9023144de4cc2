-- Schema version 2: hotspots get a place in the viewer's list (reorderable)
-- and an origin (made by hand or not),
-- and a plot may store UMAP variants (other n_neighbors/min_dist, jittered)
-- as layouts named umap-…, described by plot_layouts.variant.

ALTER TABLE hotspots ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
-- Hotspots made by hand are 'user' and survive a recompute of the plot.
ALTER TABLE hotspots ADD COLUMN origin TEXT NOT NULL DEFAULT 'hdbscan' CHECK (origin IN ('hdbscan', 'user'));
UPDATE hotspots SET rank = id;

-- SQLite cannot change a CHECK constraint in place: rebuild plot_layouts.
CREATE TABLE plot_layouts_v2 (
  plot_id   INTEGER NOT NULL REFERENCES plots(id) ON DELETE CASCADE,
  layout    TEXT NOT NULL CHECK (layout IN ('umap', 'grid', 'categorical', 'date', 'geographic', 'custom') OR layout GLOB 'umap-?*'),
  positions BLOB NOT NULL,
  labels    TEXT CHECK (labels IS NULL OR json_valid(labels)),
  cell_size REAL NOT NULL DEFAULT 0,
  variant   TEXT CHECK (variant IS NULL OR json_valid(variant)),
  PRIMARY KEY (plot_id, layout)
);
INSERT INTO plot_layouts_v2 (plot_id, layout, positions, labels, cell_size)
  SELECT plot_id, layout, positions, labels, cell_size FROM plot_layouts;
DROP TABLE plot_layouts;
ALTER TABLE plot_layouts_v2 RENAME TO plot_layouts;
