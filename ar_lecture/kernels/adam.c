/* Adam's update of every parameter tensor of a group in one pass, shared among the threads of torch's OpenMP team.
   The Python side (ar_lecture.train, CompiledAdam) compiles this file and calls adam_step through ctypes, once per
   group and step, with the addresses of the parameters, their gradients and their two moving averages. */

/* -- section: adam -- */
#include <math.h>
#include <stdint.h>
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#pragma GCC target("prefer-vector-width=256")  /* whole AVX vectors where GCC would pick half (AMD Zen 1) */
#endif

/* The update of torch.optim.Adam, element by element, for the elements [i0, i1) of one tensor, in its order of
   operations: with weight decay wd, AdamW (decoupled) first shrinks the weight, Adam adds wd p to the gradient; then
     m <- m + (1 - beta1)(g - m),   v <- beta2 v + (1 - beta2) g^2,
     p <- p - step_size m / (sqrt(v) / bc2_sqrt + eps),
   where step_size = lr / (1 - beta1^t) and bc2_sqrt = sqrt(1 - beta2^t) correct the averages' start at zero. */
typedef struct { float a, b, nb, eps, shrink, add; } adam_hyper;  /* 1 - beta1, beta2, 1 - beta2, eps, and the decay's */

static void adam_range(const adam_hyper *h, float step_size, float bc2_sqrt, float *restrict p, const float *restrict g,
                       float *restrict m, float *restrict v, int64_t i0, int64_t i1) {
  const float a = h->a, b = h->b, nb = h->nb, eps = h->eps, shrink = h->shrink, add = h->add;
#pragma omp simd
  for (int64_t i = i0; i < i1; i++) {
    float w = p[i] * shrink, gi = g[i] + add * p[i];
    float mi = m[i] + a * (gi - m[i]), vi = b * v[i] + nb * gi * gi;
    m[i] = mi; v[i] = vi;
    p[i] = w - step_size * (mi / (sqrtf(vi) / bc2_sqrt + eps));
  }
}

/* -- section: team -- */
/* The tensors' elements as one sequence, cut into equal shares (at multiples of 16 floats, one cache line), one per
   thread of a team (GNU OpenMP's GOMP_parallel, passed in with omp_get_thread_num and omp_get_num_threads). Each
   tensor has its own step count: steps[t], so its own bias corrections. */
typedef struct {
  int (*thread_num)(void), (*num_threads)(void);
  adam_hyper h; int n; float *const *p; const float *const *g; float *const *m, *const *v; const int64_t *sizes;
  const float *step_size, *bc2_sqrt; int64_t total;
} adam_job;

static void adam_share(const adam_job *j, int64_t lo, int64_t hi) {
  int64_t start = 0;
  for (int t = 0; t < j->n && start < hi; start += j->sizes[t], t++) {
    int64_t i0 = lo > start ? lo - start : 0, i1 = hi - start < j->sizes[t] ? hi - start : j->sizes[t];
    if (i1 > i0) adam_range(&j->h, j->step_size[t], j->bc2_sqrt[t], j->p[t], j->g[t], j->m[t], j->v[t], i0, i1);
  }
}

static void adam_member(void *data) {
  const adam_job *j = data;
  int64_t t = j->thread_num(), T = j->num_threads();
  int64_t lo = (j->total * t / T) & ~(int64_t)15, hi = t == T - 1 ? j->total : (j->total * (t + 1) / T) & ~(int64_t)15;
  adam_share(j, lo, hi);
}

#define AR_ADAM_MAX_TENSORS 4096  /* tensors per call (the Python side passes more in several calls) */

/* One step for the n tensors (steps[t]: the step count of tensor t, 1 at its first update), by `threads` threads of
   the team where gomp_parallel is given, else by this one. */
void adam_step(void *gomp_parallel, void *thread_num, void *num_threads, int threads, int n, float *const *p,
               const float *const *g, float *const *m, float *const *v, const int64_t *sizes, const double *steps,
               double lr, double beta1, double beta2, double eps, double wd, int decoupled) {
  float step_size[AR_ADAM_MAX_TENSORS], bc2_sqrt[AR_ADAM_MAX_TENSORS];
  int64_t total = 0;
  for (int t = 0; t < n; t++) {
    step_size[t] = (float)(lr / (1.0 - pow(beta1, steps[t])));
    bc2_sqrt[t] = (float)sqrt(1.0 - pow(beta2, steps[t]));
    total += sizes[t];
  }
  adam_hyper h = {(float)(1.0 - beta1), (float)beta2, (float)(1.0 - beta2), (float)eps,  /* in double, as torch's */
                  (float)(decoupled ? 1.0 - lr * wd : 1.0), (float)(decoupled ? 0.0 : wd)};
  adam_job j = {(int (*)(void))thread_num, (int (*)(void))num_threads, h, n, p, g, m, v, sizes, step_size, bc2_sqrt, total};
  if (threads <= 1 || !gomp_parallel) adam_share(&j, 0, total);
  else ((void (*)(void (*)(void *), void *, unsigned, unsigned))gomp_parallel)(adam_member, &j, (unsigned)threads, 0);
}
