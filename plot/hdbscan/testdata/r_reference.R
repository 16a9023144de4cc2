# Reference labels for the Go HDBSCAN tests, made once and frozen here so
# that the tests need no R:
#
#   Rscript r_reference.R        (run inside this directory)
#
# Made with R 4.2.2 and dbscan 1.1-11 (Debian bookworm r-cran-dbscan).
# Input: blobs2d.csv (written by `go test -run TestWriteReferenceInput -update`).
# Output: r_minpts<minPts>.csv with the columns
#   cluster          dbscan's label, 0 = noise, 1..k clusters
#   membership_prob  dbscan's membership probability
# dbscan::hdbscan's single minPts is both the minimum cluster size and the
# core-distance neighbourhood (the point itself counted).
suppressPackageStartupMessages(library(dbscan))
x <- as.matrix(read.csv("blobs2d.csv"))
for (minPts in c(10, 25)) {
  res <- hdbscan(x, minPts = minPts)
  out <- data.frame(cluster = res$cluster, membership_prob = signif(res$membership_prob, 6))
  write.csv(out, sprintf("r_minpts%d.csv", minPts), row.names = FALSE, quote = FALSE)
  cat(sprintf("minPts %d: %d clusters, %d noise\n", minPts, max(res$cluster), sum(res$cluster == 0)))
}
