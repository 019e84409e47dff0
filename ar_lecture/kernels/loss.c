/* The summed binary cross-entropy from logits and its gradient, in one pass over the logits.
   The Python side (ar_lecture.train) compiles this file and calls binary_nll through ctypes, for rows [r0, r1)
   of a row-major (rows, n) matrix at a time. */

/* -- section: exp -- */
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#pragma GCC target("prefer-vector-width=256")  /* whole AVX vectors where GCC would pick half (AMD Zen 1) */
#endif

/* e^x for x <= 0 in plain arithmetic that the compiler vectorizes: x = k ln 2 + f, e^f by Cephes' polynomial,
   2^k written into the exponent bits. Below -87 it gives e^-87 (1.6e-38, no denormals): where it is used,
   next to terms of size 1, that is zero to float precision. */
static inline float exp_nonpositive(float x) {
  x = x > -87.0f ? x : -87.0f;
  float k = rintf(x * 1.44269504088896341f), f = (x - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = ((((1.9875691500e-4f * f + 1.3981999507e-3f) * f + 8.3334519073e-3f) * f + 4.1665795894e-2f) * f
             + 1.6666665459e-1f) * f + 5.0000001201e-1f;
  int32_t bits = ((int32_t)k + 127) << 23; float two_k; memcpy(&two_k, &bits, sizeof two_k);
  return (p * f * f + f + 1.0f) * two_k;
}

/* log(1 + t) for 0 <= t <= 1, as 2 atanh(s) with s = t / (2 + t) <= 1/3: no cancellation for small t, and the
   series s + s^3/3 + s^5/5 + ... reaches float precision by s^15/15. */
static inline float log1p_unit(float t) {
  float s = t / (2.0f + t), z = s * s;
  float p = (((((z / 15 + 1.0f / 13) * z + 1.0f / 11) * z + 1.0f / 9) * z + 1.0f / 7) * z + 1.0f / 5) * z + 1.0f / 3;
  return 2.0f * (s + s * z * p);
}

/* -- section: loss -- */
/* With t = e^-|l|: -log sigma(l) = log(1 + t) + max(-l, 0), so the cross-entropy of x in {0, 1} is
   max(l, 0) - l x + log(1 + t), and its gradient sigma(l) - x, where sigma(l) = 1/(1 + t) for l >= 0 and
   t/(1 + t) below. Returns the sum over rows [r0, r1) (each row summed in float, the rows in double) and writes
   the gradients, times `scale`, into g. Logit k of a row belongs to x's column cols[k] (cols NULL: column k), so
   the logits may come in any order of the columns. A NaN logit gives a NaN sum and a NaN gradient. */
#define AR_LOSS_CHUNK 256
double binary_nll(int64_t n, const float *restrict logits, const float *restrict x, const int64_t *restrict cols,
                  int64_t r0, int64_t r1, float scale, float *restrict g) {
  double total = 0;
  float xs[AR_LOSS_CHUNK];  /* a chunk of x's row in the logits' order */
  for (int64_t r = r0; r < r1; r++) {
    const float *xr = x + r * n;
    float sum = 0;
    for (int64_t k0 = 0; k0 < n; k0 += AR_LOSS_CHUNK) {
      int64_t m = n - k0 < AR_LOSS_CHUNK ? n - k0 : AR_LOSS_CHUNK;
      const float *l = logits + r * n + k0, *xk = xr + k0;
      float *gr = g + r * n + k0;
      if (cols) {
        for (int64_t k = 0; k < m; k++) xs[k] = xr[cols[k0 + k]];
        xk = xs;
      }
#pragma omp simd reduction(+:sum)
      for (int64_t k = 0; k < m; k++) {
        float a = l[k], t = exp_nonpositive(-fabsf(a)), u = 1.0f / (1.0f + t);
        sum += (a > 0 ? a : 0.0f) - a * xk[k] + log1p_unit(t);
        gr[k] = scale * ((a >= 0 ? u : (a < 0 ? t * u : a)) - xk[k]);  /* NaN stays NaN */
      }
    }
    total += sum;
  }
  return total;
}

/* -- section: team -- */
/* binary_nll for all B rows, cut into equal shares of rows, one per thread of a team of torch's OpenMP threads (GNU
   OpenMP's GOMP_parallel, passed in with omp_get_thread_num and omp_get_num_threads): the same sums as calls from
   Python for the same shares, without a trip through Python for each. */
#define AR_LOSS_MAX_THREADS 256
typedef struct {
  int (*thread_num)(void), (*num_threads)(void);
  int64_t n, B; const float *logits, *x; const int64_t *cols; float scale; float *g; double sums[AR_LOSS_MAX_THREADS];
} nll_job;

static void nll_member(void *data) {
  nll_job *j = data;
  int64_t t = j->thread_num(), T = j->num_threads();
  j->sums[t] = binary_nll(j->n, j->logits, j->x, j->cols, j->B * t / T, j->B * (t + 1) / T, j->scale, j->g);
}

double binary_nll_team(void *gomp_parallel, void *thread_num, void *num_threads, int threads, int64_t n,
                       const float *logits, const float *x, const int64_t *cols, int64_t B, float scale, float *g) {
  nll_job j = {(int (*)(void))thread_num, (int (*)(void))num_threads, n, B, logits, x, cols, scale, g, {0}};
  threads = threads < AR_LOSS_MAX_THREADS ? threads : AR_LOSS_MAX_THREADS;
  ((void (*)(void (*)(void *), void *, unsigned, unsigned))gomp_parallel)(nll_member, &j, (unsigned)threads, 0);
  double total = 0;
  for (int t = 0; t < threads; t++) total += j.sums[t];
  return total;
}
