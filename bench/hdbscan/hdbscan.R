# The R side of the HDBSCAN benchmark (see main.go):
#   Rscript hdbscan.R <points.f32> <minPts> <labels.txt>
# points.f32: little-endian float32 (x, y) pairs. Prints "seconds <t>" for
# dbscan::hdbscan alone (it builds the full n×n distance matrix, so keep
# n ≤ 20,000) and writes one label per line (0 = noise).
suppressPackageStartupMessages(library(dbscan))
args <- commandArgs(trailingOnly = TRUE)
size <- file.info(args[1])$size
v <- readBin(args[1], what = "numeric", n = size / 4, size = 4, endian = "little")
x <- matrix(v, ncol = 2, byrow = TRUE)
elapsed <- system.time(res <- hdbscan(x, minPts = as.integer(args[2])))[["elapsed"]]
writeLines(as.character(res$cluster), args[3])
cat(sprintf("seconds %.3f\n", elapsed))
