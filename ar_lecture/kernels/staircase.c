/* A masked layer's weight matrix sorted into the blocks of its staircase, and a gradient given as blocks put back
   in the original unit order: each in one pass over the matrix. The Python side (ar_lecture.structured) compiles
   this file and calls the two functions through ctypes, for rows [j0, j1) of one block at a time.

   Sorted row j (the unit rows[j] of the layer) reads the sorted columns c < counts[j] (the previous layer's units
   cols[c]). A block holds the sorted rows [r0, r1) and the sorted columns [0, hi), row-major, (r1 - r0) x hi. */

/* -- section: gather -- */
#include <stdint.h>
#include <string.h>
#ifdef __AVX__
#include <immintrin.h>
#endif

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
   spans holds (c0, c1, lo, hi) per block, as Staircase.blocks, blocks their data, each (c1 - c0) x (out - lo). */
void staircase_scatter_columns(int in, int out, int nblocks, const int64_t *restrict spans,
                               const float *const *blocks, const int64_t *restrict rows,
                               const int64_t *restrict cols, const int64_t *restrict counts, int j0, int j1,
                               float *restrict G) {
  for (int j = j0; j < j1; j++) {
    float *dst = G + rows[j] * (int64_t)in;
    memset(dst, 0, sizeof(float) * (size_t)in);
    for (int b = 0; b < nblocks; b++) {
      int c0 = (int)spans[4 * b], c1 = (int)spans[4 * b + 1], lo = (int)spans[4 * b + 2], width = out - lo;
      if (j < lo) continue;
      const float *src = blocks[b] + (j - lo);
      int n = counts[j] < c1 ? (int)counts[j] : c1;
      for (int c = c0; c < n; c++) dst[cols[c]] = src[(int64_t)(c - c0) * width];
    }
  }
}

/* -- section: binary_lists -- */
/* A layer that reads binary inputs (a MADE's first layer, its direct connections) needs only the inputs that are on.
   x is (B, in) in the original order; the lists name the inputs by their sorted place uncols[i]. They are made in
   three steps, the first and the last shared among threads by examples.
   binary_scan, for the examples [b0, b1): checks that x holds only 0 and 1 (x * x == x: also false for NaN),
   writes the places of the inputs on in each example, increasing, one example after the other into scan (a bit
   per place, then the bits read in order), their number in row_len[b], and adds to count[c] the examples in which
   place c is on. Returns the number of ones, -1 if a value is neither 0 nor 1, -2 if it could not allocate. */
#include <stdlib.h>
int64_t binary_scan(int in, const float *restrict x, const int64_t *restrict uncols, int b0, int b1,
                    int32_t *restrict scan, int32_t *restrict row_len, int32_t *restrict count) {
  int words = (in + 63) / 64;
  uint64_t *bits = calloc((size_t)words + 1, sizeof(uint64_t));
  if (!bits) return -2;
  int64_t ones = 0;
  for (int b = b0; b < b1; b++) {
    const float *xb = x + (int64_t)b * in;
    int bad = 0;
    for (int i0 = 0; i0 < in; i0 += 64) {  /* 64 inputs at a time: a bit for each that is on */
      int n = in - i0 < 64 ? in - i0 : 64, t = 0;
      uint64_t on = 0;
#ifdef __AVX__
      for (; t + 8 <= n; t += 8) {  /* eight comparisons in one instruction, their signs as eight bits */
        __m256 v = _mm256_loadu_ps(xb + i0 + t);
        on |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ)) << t;
        bad |= _mm256_movemask_ps(_mm256_cmp_ps(_mm256_mul_ps(v, v), v, _CMP_NEQ_UQ));
      }
#endif
      for (; t < n; t++) {
        float v = xb[i0 + t];
        on |= (uint64_t)(v != 0.0f) << t;
        bad |= !(v * v == v);
      }
      for (; on; on &= on - 1) {
        int64_t c = uncols[i0 + __builtin_ctzll(on)];
        bits[c >> 6] |= 1ull << (c & 63);
      }
    }
    if (bad) { free(bits); return -1; }
    int32_t *out = scan + ones, k = 0;
    for (int w = 0; w < words; w++) {  /* the places in increasing order */
      for (uint64_t v = bits[w]; v; v &= v - 1) {
        int c = w * 64 + __builtin_ctzll(v);
        out[k++] = c;
        count[c]++;
      }
      bits[w] = 0;
    }
    row_len[b] = k;
    ones += k;
  }
  free(bits);
  return ones;
}

/* binary_offsets, in one thread: row_start (B + 1) from row_len; col_start (in + 1) from the parts' counts
   (parts x in), each count replaced by the first slot of that part's examples in the input's list. */
void binary_offsets(int B, int in, int parts, const int32_t *restrict row_len, int32_t *restrict row_start,
                    int32_t *restrict count, int32_t *restrict col_start) {
  row_start[0] = 0;
  for (int b = 0; b < B; b++) row_start[b + 1] = row_start[b] + row_len[b];
  int32_t at = 0;
  for (int c = 0; c < in; c++) {
    col_start[c] = at;
    for (int p = 0; p < parts; p++) {
      int32_t n = count[(int64_t)p * in + c];
      count[(int64_t)p * in + c] = at;
      at += n;
    }
  }
  col_start[in] = at;
}

/* binary_fill, for the examples [b0, b1) of one part (scan: what binary_scan wrote for them): each example's places
   into on_inputs from row_start[b], and the example into the list of each of its places, at the part's next slot
   (next: this part's row of count). A list's examples come out increasing: parts in order, examples in order. */
void binary_fill(int b0, int b1, const int32_t *restrict scan, const int32_t *restrict row_start,
                 int32_t *restrict next, int32_t *restrict on_inputs, int32_t *restrict on_examples) {
  for (int b = b0; b < b1; b++) {
    int32_t n = row_start[b + 1] - row_start[b];
    memcpy(on_inputs + row_start[b], scan, sizeof(int32_t) * (size_t)n);
    for (int32_t k = 0; k < n; k++) on_examples[next[scan[k]]++] = b;
    scan += n;
  }
}

/* binary_lists_team: the three steps above for all B examples, the scan and the fill in shares of examples on a
   team of torch's OpenMP threads (GNU OpenMP's GOMP_parallel, passed in with omp_get_thread_num and
   omp_get_num_threads), the offsets in between on this thread. The lists are those of `parts` calls from Python
   with the same shares. on_inputs and on_examples have room for B * in places. Returns what binary_scan returns. */
typedef void (*gomp_parallel_fn)(void (*)(void *), void *, unsigned, unsigned);  /* GOMP_parallel(fn, data, threads, 0) */
typedef struct {
  int (*thread_num)(void), (*num_threads)(void);
  int in, B, parts; const float *x; const int64_t *places; int32_t *scan, *row_len, *count, *row_start, *on_inputs,
  *on_examples; int64_t found[256];
} lists_job;

static void scan_member(void *data) {
  lists_job *j = data;
  for (int p = j->thread_num(); p < j->parts; p += j->num_threads()) {
    int b0 = (int)((int64_t)j->B * p / j->parts), b1 = (int)((int64_t)j->B * (p + 1) / j->parts);
    j->found[p] = binary_scan(j->in, j->x, j->places, b0, b1, j->scan + (int64_t)b0 * j->in, j->row_len,
                              j->count + (int64_t)p * j->in);
  }
}

static void fill_member(void *data) {
  lists_job *j = data;
  for (int p = j->thread_num(); p < j->parts; p += j->num_threads()) {
    int b0 = (int)((int64_t)j->B * p / j->parts), b1 = (int)((int64_t)j->B * (p + 1) / j->parts);
    binary_fill(b0, b1, j->scan + (int64_t)b0 * j->in, j->row_start, j->count + (int64_t)p * j->in, j->on_inputs,
                j->on_examples);
  }
}

int64_t binary_lists_team(void *gomp_parallel, void *thread_num, void *num_threads, int parts, int in, const float *x,
                          const int64_t *places, int B, int32_t *scan, int32_t *row_len, int32_t *count,
                          int32_t *row_start, int32_t *col_start, int32_t *on_inputs, int32_t *on_examples) {
  gomp_parallel_fn team = (gomp_parallel_fn)gomp_parallel;
  lists_job j = {(int (*)(void))thread_num, (int (*)(void))num_threads, in, B, parts < 256 ? parts : 256, x, places, scan,
                 row_len, count, row_start, on_inputs, on_examples, {0}};
  team(scan_member, &j, (unsigned)j.parts, 0);
  int64_t ones = 0;
  for (int p = 0; p < j.parts; p++) if (j.found[p] == -1) return -1;  /* a value not 0 or 1 first, as from Python */
  for (int p = 0; p < j.parts; p++) {
    if (j.found[p] < 0) return j.found[p];
    ones += j.found[p];
  }
  binary_offsets(B, in, j.parts, row_len, row_start, count, col_start);
  team(fill_member, &j, (unsigned)j.parts, 0);
  return ones;
}

/* -- section: binary_forward -- */
/* y[b][j] = bias[j] + W[rows[j]][cols[c]] summed over the inputs c on in example b that row j reads: the rows from
   first[c] on (counts[j] > c), which are in the block of columns holding c (as above, block_of[c]; -1 if no row reads
   c). Each input that is on adds its block row to the outputs, four inputs at a time where their rows overlap (first
   is increasing in c). For the examples [b0, b1), the outputs in chunks of AR_CHUNK, so that the blocks' part stays
   in the cache while the examples go by. bias is sorted like the rows, or NULL for none. */
#define AR_CHUNK 1024
static inline const float *block_row(const int64_t *spans, const float *const *blocks, int out, int blk, int c,
                                     int *lo) {  /* the row of sorted column c in its block, from the block's lo */
  *lo = (int)spans[4 * blk + 2];
  return blocks[blk] + (int64_t)(c - (int)spans[4 * blk]) * (out - *lo);
}

void staircase_binary_forward(int out, const int64_t *restrict spans, const float *const *blocks,
                              const int32_t *restrict block_of, const int32_t *restrict first,
                              const int32_t *restrict row_start, const int32_t *restrict on_inputs,
                              const float *restrict bias, int b0, int b1, float *restrict y) {
  for (int o0 = 0; o0 < out; o0 += AR_CHUNK) {
    int o1 = o0 + AR_CHUNK < out ? o0 + AR_CHUNK : out;
    for (int b = b0; b < b1; b++) {
      float *yb = y + (int64_t)b * out;
      for (int j = o0; j < o1; j++) yb[j] = bias ? bias[j] : 0.0f;
      int32_t k = row_start[b], end = row_start[b + 1];
      while (end > k && block_of[on_inputs[end - 1]] < 0) end--;  /* inputs that no row reads come last */
      for (; k < end; k += 4) {
        int n = end - k < 4 ? end - k : 4, lo[4], from[4];
        const float *w[4];
        for (int i = 0; i < n; i++) {
          int c = on_inputs[k + i];
          w[i] = block_row(spans, blocks, out, block_of[c], c, &lo[i]);
          from[i] = first[c] > o0 ? first[c] : o0;
        }
        int all = n == 4 ? from[3] : o1;  /* from here on all four add (from[3] is the largest) */
        for (int i = 0; i < n; i++) {  /* each input's rows before that */
          const float *wi = w[i];
          int li = lo[i], to = all < o1 ? all : o1;
#pragma omp simd
          for (int j = from[i]; j < to; j++) yb[j] += wi[j - li];
        }
        if (n == 4) {
          const float *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
          int l0 = lo[0], l1 = lo[1], l2 = lo[2], l3 = lo[3];
#pragma omp simd
          for (int j = all; j < o1; j++) yb[j] += (w0[j - l0] + w1[j - l1]) + (w2[j - l2] + w3[j - l3]);
        }
      }
    }
  }
}

/* -- section: binary_backward -- */
#define AR_CHUNK_BACKWARD 1024
/* The blocks' gradients: in the row of sorted column c, the sum of gy[b][j] over the examples b in which c is on,
   for the rows j that read c (from first[c] on), 0 for the others. For the sorted columns [c_from, c_to); their
   rows are written whole. */
void staircase_binary_backward(int out, const int64_t *restrict spans, float *const *grads,
                               const int32_t *restrict block_of, const int32_t *restrict first,
                               const int32_t *restrict col_start, const int32_t *restrict on_examples, int c_from,
                               int c_to, const float *restrict gy) {
  for (int o0 = 0; o0 < out; o0 += AR_CHUNK_BACKWARD) {
    int o1 = o0 + AR_CHUNK_BACKWARD < out ? o0 + AR_CHUNK_BACKWARD : out;
    for (int c = c_from; c < c_to; c++) {
      int blk = block_of[c];
      if (blk < 0) continue;
      int lo = (int)spans[4 * blk + 2], from = lo > o0 ? lo : o0, reads = first[c] > from ? first[c] : from;
      float *g = grads[blk] + (int64_t)(c - (int)spans[4 * blk]) * (out - lo);  /* g[j - lo]: row j */
      for (int j = from; j < o1; j++) g[j - lo] = 0.0f;
      int32_t k = col_start[c], end = col_start[c + 1];
      for (; k + 8 <= end; k += 8) {  /* eight examples at a time: one load and store of g per eight rows read */
        const float *g0 = gy + (int64_t)on_examples[k] * out, *g1 = gy + (int64_t)on_examples[k + 1] * out;
        const float *g2 = gy + (int64_t)on_examples[k + 2] * out, *g3 = gy + (int64_t)on_examples[k + 3] * out;
        const float *g4 = gy + (int64_t)on_examples[k + 4] * out, *g5 = gy + (int64_t)on_examples[k + 5] * out;
        const float *g6 = gy + (int64_t)on_examples[k + 6] * out, *g7 = gy + (int64_t)on_examples[k + 7] * out;
#pragma omp simd
        for (int j = reads; j < o1; j++)
          g[j - lo] += ((g0[j] + g1[j]) + (g2[j] + g3[j])) + ((g4[j] + g5[j]) + (g6[j] + g7[j]));
      }
      for (; k + 4 <= end; k += 4) {  /* then four at a time */
        const float *g0 = gy + (int64_t)on_examples[k] * out, *g1 = gy + (int64_t)on_examples[k + 1] * out;
        const float *g2 = gy + (int64_t)on_examples[k + 2] * out, *g3 = gy + (int64_t)on_examples[k + 3] * out;
#pragma omp simd
        for (int j = reads; j < o1; j++) g[j - lo] += (g0[j] + g1[j]) + (g2[j] + g3[j]);
      }
      for (; k < end; k++) {
        const float *gb = gy + (int64_t)on_examples[k] * out;
#pragma omp simd
        for (int j = reads; j < o1; j++) g[j - lo] += gb[j];
      }
    }
  }
}

/* -- section: binary_team -- */
/* Either pass for all examples (forward: items are examples, y written) or all sorted columns (backward: items are
   columns, gy read, grads written), cut into shares of about equal work, one per thread of a team of torch's OpenMP
   threads (GNU OpenMP's GOMP_parallel, passed in with omp_get_thread_num and omp_get_num_threads). An example's work
   is its ones; a column's, its examples times the rows that read it, plus its row of the gradient to clear. Every
   item is computed as by one call for all of them: the results do not depend on the cut. */
typedef struct {
  int (*thread_num)(void), (*num_threads)(void);
  int backward, out, items; const int64_t *spans; float *const *blocks; const int32_t *block_of, *first, *start, *list;
  const float *bias, *gy; float *y;
} binary_job;

static int64_t binary_work(const binary_job *j, int i) {
  if (!j->backward) return j->start[i + 1] - j->start[i];
  if (j->block_of[i] < 0) return 0;
  return (int64_t)(j->start[i + 1] - j->start[i]) * (j->out - j->first[i]) + (j->out - (int)j->spans[4 * j->block_of[i] + 2]);
}

static void binary_member(void *data) {
  const binary_job *j = data;
  int64_t t = j->thread_num(), T = j->num_threads(), total = 0, done = 0;
  for (int i = 0; i < j->items; i++) total += binary_work(j, i);
  int i0 = 0, i1;  /* the share [i0, i1): from where the work done reaches total t / T to where it reaches total (t + 1) / T */
  while (i0 < j->items && done * T < total * t) done += binary_work(j, i0++);
  for (i1 = i0; i1 < j->items && (t == T - 1 || done * T < total * (t + 1)); i1++) done += binary_work(j, i1);
  if (i1 <= i0) return;
  if (j->backward) staircase_binary_backward(j->out, j->spans, j->blocks, j->block_of, j->first, j->start, j->list, i0, i1, j->gy);
  else staircase_binary_forward(j->out, j->spans, (const float *const *)j->blocks, j->block_of, j->first, j->start, j->list,
                                j->bias, i0, i1, j->y);
}

void staircase_binary_team(void *gomp_parallel, void *thread_num, void *num_threads, int threads, int backward, int out,
                           int items, const int64_t *spans, float *const *blocks, const int32_t *block_of,
                           const int32_t *first, const int32_t *start, const int32_t *list, const float *bias,
                           const float *gy, float *y) {
  binary_job j = {(int (*)(void))thread_num, (int (*)(void))num_threads, backward, out, items, spans, blocks, block_of,
                  first, start, list, bias, gy, y};
  ((gomp_parallel_fn)gomp_parallel)(binary_member, &j, (unsigned)threads, 0);
}

/* -- section: block_products -- */
/* A layer's block products, all in one call from Python: each block a call of BLAS's sgemm_ (the MKL inside torch;
   the Python side passes its address), without PyTorch's work around each product. Every matrix is row-major,
   with row strides ldx, ldy; spans holds (a0, a1, lo, hi) per block, as Staircase.blocks; a block of rows is
   (r1 - r0) x hi, a block of columns (c1 - c0) x (out - lo), stored transposed. */
typedef void (*sgemm_fn)(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
                         const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
                         const int *ldc);

/* C = beta C + op(A) op(B), row-major M x N: BLAS is column-major, where this is C^T = op(B)^T op(A)^T. */
static void product(void *sgemm, int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  float one = 1.0f;
  char cta = ta ? 'T' : 'N', ctb = tb ? 'T' : 'N';
  ((sgemm_fn)sgemm)(&ctb, &cta, &N, &M, &K, &one, B, &ldb, A, &lda, &beta, C, &ldc);
}

/* y += x W^T block by block: a block of rows adds y[:, r0:r1] += x[:, :hi] W_b^T, a block of columns
   y[:, lo:] += x[:, c0:c1] W_b (y holds the bias, or zeros). */
void staircase_forward(void *sgemm, int by_columns, int B, int out, int nblocks, const int64_t *restrict spans,
                       const float *const *blocks, const float *x, int ldx, float *y, int ldy) {
  for (int b = 0; b < nblocks; b++) {
    int a0 = (int)spans[4 * b], a1 = (int)spans[4 * b + 1], lo = (int)spans[4 * b + 2], hi = (int)spans[4 * b + 3];
    if (by_columns) product(sgemm, 0, 0, B, out - lo, a1 - a0, x + a0, ldx, blocks[b], out - lo, 1.0f, y + lo, ldy);
    else product(sgemm, 0, 1, B, a1 - a0, hi, x, ldx, blocks[b], hi, 1.0f, y + a0, ldy);
  }
}

/* The blocks' weight gradients, each written whole, 0 where the mask is (sorted row j reads the columns
   c < counts[j]): a block of rows gy[:, r0:r1]^T x[:, :hi], a block of columns x[:, c0:c1]^T gy[:, lo:]. */
void staircase_weight_grads(void *sgemm, int by_columns, int B, int out, int nblocks, const int64_t *restrict spans,
                            const int64_t *restrict counts, const float *gy, int ldy, const float *x, int ldx,
                            float *const *grads) {
  for (int b = 0; b < nblocks; b++) {
    int a0 = (int)spans[4 * b], a1 = (int)spans[4 * b + 1], lo = (int)spans[4 * b + 2], hi = (int)spans[4 * b + 3];
    if (by_columns) {
      int width = out - lo;
      product(sgemm, 1, 0, a1 - a0, width, B, x + a0, ldx, gy + lo, ldy, 0.0f, grads[b], width);
      for (int j = lo; j < hi; j++)  /* the strip the staircase crosses: row j does not read columns c >= counts[j] */
        for (int c = counts[j] > a0 ? (int)counts[j] : a0; c < a1; c++) grads[b][(int64_t)(c - a0) * width + (j - lo)] = 0.0f;
    } else {
      product(sgemm, 1, 0, a1 - a0, hi, B, gy + a0, ldy, x, ldx, 0.0f, grads[b], hi);
      for (int j = a0; j < a1; j++)
        if (counts[j] < hi) memset(grads[b] + (int64_t)(j - a0) * hi + counts[j], 0, sizeof(float) * (size_t)(hi - counts[j]));
    }
  }
}

/* The inputs' gradient gx = gy W, written whole: a block of columns writes gx[:, c0:c1] = gy[:, lo:] W_b^T, blocks
   of rows add gy[:, r0:r1] W_b to gx[:, :hi], the widest first (it writes), in the order of decreasing hi (as the
   PyTorch path adds them); inputs that no block reads get 0. */
void staircase_input_grads(void *sgemm, int by_columns, int B, int in, int out, int nblocks,
                           const int64_t *restrict spans, const float *const *blocks, const float *gy, int ldy,
                           float *gx, int ldx) {
  int end = 0;
  if (by_columns) {
    for (int b = 0; b < nblocks; b++) {
      int c0 = (int)spans[4 * b], c1 = (int)spans[4 * b + 1], lo = (int)spans[4 * b + 2];
      product(sgemm, 0, 1, B, c1 - c0, out - lo, gy + lo, ldy, blocks[b], out - lo, 0.0f, gx + c0, ldx);
      if (c1 > end) end = c1;
    }
  } else {
    int done = 0, above = -1;  /* the blocks with the largest hi below `above` next (-1: none taken yet) */
    while (done < nblocks) {
      int next = -1;
      for (int b = 0; b < nblocks; b++) {
        int hi = (int)spans[4 * b + 3];
        if ((above < 0 || hi < above) && hi > next) next = hi;
      }
      for (int b = 0; b < nblocks; b++) {
        int r0 = (int)spans[4 * b], r1 = (int)spans[4 * b + 1];
        if ((int)spans[4 * b + 3] != next) continue;
        product(sgemm, 0, 0, B, next, r1 - r0, gy + r0, ldy, blocks[b], next, done == 0 ? 0.0f : 1.0f, gx, ldx);
        if (done++ == 0) end = next;
      }
      above = next;
    }
  }
  if (end < in)
    for (int r = 0; r < B; r++) memset(gx + (int64_t)r * ldx + end, 0, sizeof(float) * (size_t)(in - end));
}

/* Both gradients of a layer at once: the weights' on one thread of a team of torch's OpenMP threads, the inputs' on
   another (GNU OpenMP's GOMP_parallel, passed in with omp_get_thread_num and omp_get_num_threads; MKL runs one thread
   inside a team), each as above. A team of one thread makes both. */
typedef struct {
  void *sgemm; int (*thread_num)(void), (*num_threads)(void);
  int by_columns, B, in, out, nblocks; const int64_t *spans, *counts; const float *const *blocks; float *const *grads;
  const float *gy; int ldy; const float *x; int ldx; float *gx; int ldgx;
} gradients;

static void gradients_member(void *data) {
  const gradients *p = data;
  for (int task = p->thread_num(); task < 2; task += p->num_threads()) {
    if (task == 0) staircase_weight_grads(p->sgemm, p->by_columns, p->B, p->out, p->nblocks, p->spans, p->counts, p->gy,
                                          p->ldy, p->x, p->ldx, p->grads);
    else staircase_input_grads(p->sgemm, p->by_columns, p->B, p->in, p->out, p->nblocks, p->spans, p->blocks, p->gy,
                               p->ldy, p->gx, p->ldgx);
  }
}

void staircase_gradients(void *sgemm, void *gomp_parallel, void *thread_num, void *num_threads, int by_columns, int B,
                         int in, int out, int nblocks, const int64_t *spans, const int64_t *counts,
                         const float *const *blocks, float *const *grads, const float *gy, int ldy, const float *x,
                         int ldx, float *gx, int ldgx) {
  gradients p = {sgemm, (int (*)(void))thread_num, (int (*)(void))num_threads, by_columns, B, in, out, nblocks, spans,
                 counts, blocks, grads, gy, ldy, x, ldx, gx, ldgx};
  ((gomp_parallel_fn)gomp_parallel)(gradients_member, &p, 2, 0);
}
