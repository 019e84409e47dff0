/* A masked layer's weight matrix sorted into the blocks of its staircase, and a gradient given as blocks put back
   in the original unit order: each in one pass over the matrix. The Python side (ar_lecture.structured) compiles
   this file and calls the two functions through ctypes, for rows [j0, j1) of one block at a time.

   Sorted row j (the unit rows[j] of the layer) reads the sorted columns c < counts[j] (the previous layer's units
   cols[c]). A block holds the sorted rows [r0, r1) and the sorted columns [0, hi), row-major, (r1 - r0) x hi. */

/* -- section: gather -- */
#include <stdint.h>
#include <string.h>

/* block[j - r0][c] = W[rows[j]][cols[c]] where the mask allows it (c < counts[j]), 0 elsewhere in the block */
void staircase_gather(int in, const float *restrict W, const int64_t *restrict rows, const int64_t *restrict cols,
                      const int64_t *restrict counts, int r0, int j0, int j1, int hi, float *restrict block) {
  for (int j = j0; j < j1; j++) {
    const float *src = W + rows[j] * (int64_t)in;  /* one row of W, read in the sorted order of its columns */
    float *dst = block + (int64_t)(j - r0) * hi;
    int n = counts[j] < hi ? (int)counts[j] : hi;
    for (int c = 0; c < n; c++) dst[c] = src[cols[c]];
    for (int c = n; c < hi; c++) dst[c] = 0.0f;
  }
}

/* -- section: scatter -- */
/* G[rows[j]][cols[c]] = block[j - r0][c] where the mask allows it (c < counts[j] and c < hi), 0 in every other
   column: the whole row of G is written. A row that no block holds is passed with hi = 0 (and block unused). */
void staircase_scatter(int in, const float *restrict block, const int64_t *restrict rows, const int64_t *restrict cols,
                       const int64_t *restrict counts, int r0, int j0, int j1, int hi, float *restrict G) {
  for (int j = j0; j < j1; j++) {
    float *dst = G + rows[j] * (int64_t)in;
    int n = counts[j] < hi ? (int)counts[j] : hi;
    memset(dst, 0, sizeof(float) * (size_t)in);
    if (n > 0) {
      const float *src = block + (int64_t)(j - r0) * hi;
      for (int c = 0; c < n; c++) dst[cols[c]] = src[c];
    }
  }
}

/* -- section: gather_columns -- */
/* Blocks of columns (by = 'columns'): a block holds the sorted columns [c0, c1) for the sorted rows [lo, out),
   stored transposed, (c1 - c0) x width with width = out - lo: block[c - c0][j - lo] = W[rows[j]][cols[c]] where the
   mask allows it (c < counts[j]), 0 elsewhere. Called for the rows [j0, j1) of the block, j0 >= lo. */
void staircase_gather_columns(int in, const float *restrict W, const int64_t *restrict rows,
                              const int64_t *restrict cols, const int64_t *restrict counts, int c0, int c1, int lo,
                              int j0, int j1, int width, float *restrict block) {
  for (int j = j0; j < j1; j++) {
    const float *src = W + rows[j] * (int64_t)in;
    float *dst = block + (j - lo);
    int n = counts[j] < c1 ? (int)counts[j] : c1;
    int c = c0;
    for (; c < n; c++) dst[(int64_t)(c - c0) * width] = src[cols[c]];
    for (; c < c1; c++) dst[(int64_t)(c - c0) * width] = 0.0f;
  }
}

/* -- section: scatter_columns -- */
/* G[rows[j]][cols[c]] = block b's entry for (c, j) where the mask allows it, for every block b of columns that row j
   reads (lo_b <= j), 0 in every other column: the whole row of G is written, for the sorted rows [j0, j1).
   spans holds (c0, c1, lo) per block, blocks their data, each (c1 - c0) x (out - lo). */
void staircase_scatter_columns(int in, int out, int nblocks, const int64_t *restrict spans,
                               const float *const *blocks, const int64_t *restrict rows,
                               const int64_t *restrict cols, const int64_t *restrict counts, int j0, int j1,
                               float *restrict G) {
  for (int j = j0; j < j1; j++) {
    float *dst = G + rows[j] * (int64_t)in;
    memset(dst, 0, sizeof(float) * (size_t)in);
    for (int b = 0; b < nblocks; b++) {
      int c0 = (int)spans[3 * b], c1 = (int)spans[3 * b + 1], lo = (int)spans[3 * b + 2], width = out - lo;
      if (j < lo) continue;
      const float *src = blocks[b] + (j - lo);
      int n = counts[j] < c1 ? (int)counts[j] : c1;
      for (int c = c0; c < n; c++) dst[cols[c]] = src[(int64_t)(c - c0) * width];
    }
  }
}
