/* NADE's logits and their gradients, one example at a time, in the model's ordering.
   The Python side (ar_lecture.kernel) compiles this file, reads the AR_ constants below from it, and calls
   nade_forward and nade_backward through ctypes. */

/* -- section: constants -- */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AR_GROUP 4          /* examples processed together; a batch is split among threads in multiples of it */
#define AR_PAD 16           /* the hidden units are padded, with zero weights, to a multiple of this */
#define AR_ACT_SIGMOID 0    /* activation codes, the `act` argument */
#define AR_ACT_RELU 1
#define AR_ACT_TANH 2
#define AR_OK 0             /* return codes */
#define AR_NO_MEMORY 1
#define G AR_GROUP

/* -- section: activations -- */
/* e^x to float precision in plain arithmetic that the compiler vectorizes: x = n ln 2 + f with |f| <= ln(2)/2,
   e^f by Cephes' polynomial, 2^n written into the exponent bits. Like expf, it overflows to inf, underflows
   to 0 and keeps NaN (a comparison with NaN is false, so NaN passes the clamp and the polynomial). */
static inline float exp_poly(float x) {
  float y = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  float n = roundf(y * 1.44269504088896341f);
  float f = (y - n * 0.693359375f) + n * 2.12194440e-4f;  /* ln 2 in two parts, for an exact reduction */
  float p = 1.9875691500e-4f;
  p = p * f + 1.3981999507e-3f; p = p * f + 8.3334519073e-3f; p = p * f + 4.1665795894e-2f;
  p = p * f + 1.6666665459e-1f; p = p * f + 5.0000001201e-1f;
  p = p * f * f + f + 1.0f;
  int bits = ((int)n + 127) << 23; float scale; memcpy(&scale, &bits, sizeof scale);
  float r = p * scale;
  return x > 88.0f ? INFINITY : (x < -87.0f ? 0.0f : r);
}

/* h = act(a), NaN in, NaN out */
static void activate(float *restrict h, const float *restrict a, int d, int act) {
  if (act == AR_ACT_SIGMOID) {
#pragma omp simd
    for (int j = 0; j < d; j++) h[j] = 1.0f / (1.0f + exp_poly(-a[j]));
  } else if (act == AR_ACT_RELU) {
#pragma omp simd
    for (int j = 0; j < d; j++) h[j] = a[j] > 0.0f || a[j] != a[j] ? a[j] : 0.0f;
  } else {
#pragma omp simd
    for (int j = 0; j < d; j++) h[j] = tanhf(a[j]);
  }
}

/* out[g] = h[g] . v for the G hidden vectors of a group: G independent sums, v read once */
_Static_assert(G == 4, "dots is written for groups of 4");
static void dots(float *out, const float *const *h, const float *restrict v, int d) {
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  const float *h0 = h[0], *h1 = h[1], *h2 = h[2], *h3 = h[3];
#pragma omp simd reduction(+:s0, s1, s2, s3)
  for (int j = 0; j < d; j++) { float vj = v[j]; s0 += h0[j] * vj; s1 += h1[j] * vj; s2 += h2[j] * vj; s3 += h3[j] * vj; }
  out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
}

/* -- section: forward -- */
/* Logits before c: out (B, n) = V_k . h_k. x (B, n), Wt (n, d) the columns of W as rows, V (n, d), b (d),
   h1 (d) or NULL. dense (n) or NULL: where dense[k] is set, the update a += x_k W_k runs for x_k = 0 too.
   The caller sets it when a parameter is not finite: then 0 * W_k or 0 * (a gradient) can be NaN, not 0,
   and the kernel computes what the equations compute. */
int nade_forward(int B, int n, int d, const float *x, const float *Wt, const float *V, const float *b,
                 const float *h1, const unsigned char *dense, int act, float *out) {
  float *a = malloc(sizeof(float) * G * d), *h = malloc(sizeof(float) * G * d), *hb = malloc(sizeof(float) * d);
  float *no_ones = calloc(n, sizeof(float));  /* the inputs of the padding examples of the last group */
  if (!a || !h || !hb || !no_ones) { free(a); free(h); free(hb); free(no_ones); return AR_NO_MEMORY; }
  activate(hb, b, d, act);  /* h before any one: act(b) */
  for (int i0 = 0; i0 < B; i0 += G) {
    const float *xs[G], *hs[G]; float logit[G];
    for (int g = 0; g < G; g++) {
      xs[g] = i0 + g < B ? x + (size_t)(i0 + g) * n : no_ones;
      memcpy(a + (size_t)g * d, b, sizeof(float) * d); memcpy(h + (size_t)g * d, hb, sizeof(float) * d);
    }
    for (int k = 0; k < n; k++) {
      for (int g = 0; g < G; g++) hs[g] = k == 0 && h1 ? h1 : h + (size_t)g * d;
      dots(logit, hs, V + (size_t)k * d, d);  /* l_k = V_k . h_k */
      for (int g = 0; g < G && i0 + g < B; g++) out[(size_t)(i0 + g) * n + k] = logit[g];
      const float *w = Wt + (size_t)k * d;
      if (k + 1 < n) for (int g = 0; g < G; g++) if (xs[g][k] != 0.0f || (dense && dense[k])) {  /* a += W_k x_k, h = act(a) */
        float *ag = a + (size_t)g * d, xk = xs[g][k];
#pragma omp simd
        for (int j = 0; j < d; j++) ag[j] += xk * w[j];
        activate(h + (size_t)g * d, ag, d, act);
      }
    }
  }
  free(a); free(h); free(hb); free(no_ones);
  return AR_OK;
}

/* -- section: vectors -- */
#if defined(__AVX512F__)
#define VL 16
#else
#define VL 8
#endif
_Static_assert(AR_PAD % VL == 0, "the padding must be a whole number of vectors");
typedef float vf __attribute__((vector_size(VL * sizeof(float))));
typedef int vi __attribute__((vector_size(VL * sizeof(float))));
static inline vf vload(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
static inline void vstore(float *p, vf v) { memcpy(p, &v, sizeof v); }
/* dh * act'(a), written from h = act(a), on one vector */
static inline vf vactivation_grad(vf dh, vf h, int act) {
  if (act == AR_ACT_SIGMOID) return dh * h * (1.0f - h);
  if (act == AR_ACT_RELU) return (vf)((vi)dh & (h > 0.0f));
  return dh * (1.0f - h * h);
}

/* -- section: backward -- */
/* Gradients: gout (B, n) = dL/d(V_k . h_k); adds into dWt, dV (n, d), db, dh1 (d). d is a multiple of AR_PAD. */
int nade_backward(int B, int n, int d, const float *x, const float *Wt, const float *V, const float *b,
                  const float *h1, const unsigned char *dense, int act, const float *gout,
                  float *dWt, float *dV, float *db, float *dh1) {
  size_t rows = (size_t)n + 1;  /* at most n + 1 hidden states per example */
  float *S = malloc(sizeof(float) * G * rows * d), *a = malloc(sizeof(float) * d), *hb = malloc(sizeof(float) * d);
  float *no_ones = calloc(n, sizeof(float)), *no_grad = calloc(n, sizeof(float));
  if (!S || !a || !hb || !no_ones || !no_grad) {
    free(S); free(a); free(hb); free(no_ones); free(no_grad); return AR_NO_MEMORY;
  }
  activate(hb, b, d, act);
  for (int i0 = 0; i0 < B; i0 += G) {
    const float *xs[G], *gs[G]; int ones[G];
    for (int g = 0; g < G; g++) {  /* the group's hidden states: S[g][s] after the s-th update */
      int real = i0 + g < B;
      xs[g] = real ? x + (size_t)(i0 + g) * n : no_ones; gs[g] = real ? gout + (size_t)(i0 + g) * n : no_grad;
      float *Sg = S + (size_t)g * rows * d;
      memcpy(a, b, sizeof(float) * d); memcpy(Sg, hb, sizeof(float) * d);
      ones[g] = 0;
      for (int k = 0; k + 1 < n; k++) if (xs[g][k] != 0.0f || (dense && dense[k])) {  /* none after the last position */
        const float *w = Wt + (size_t)k * d; float xk = xs[g][k];
#pragma omp simd
        for (int j = 0; j < d; j++) a[j] += xk * w[j];
        ones[g]++; activate(Sg + (size_t)ones[g] * d, a, d, act);
      }
    }
    for (int j = 0; j < d; j += VL) {  /* VL hidden units at a time, the G examples' gradients in registers */
      vf dH[G], dA[G], h[G]; int s[G];
      for (int g = 0; g < G; g++) {
        s[g] = ones[g]; h[g] = vload(S + ((size_t)g * rows + s[g]) * d + j);
        dH[g] = (vf){0}; dA[g] = (vf){0};
      }
      for (int k = n - 1; k >= 0; k--) {
        if (k + 1 < n) for (int g = 0; g < G; g++) if (xs[g][k] != 0.0f || (dense && dense[k])) {  /* the update at k made state s[g] */
          vf t = vactivation_grad(dH[g], h[g], act) + dA[g];
          dA[g] = t; vstore(dWt + (size_t)k * d + j, vload(dWt + (size_t)k * d + j) + xs[g][k] * t); dH[g] = (vf){0};
          s[g]--; h[g] = vload(S + ((size_t)g * rows + s[g]) * d + j);
        }
        vf v = vload(V + (size_t)k * d + j), dv = vload(dV + (size_t)k * d + j);
        if (k == 0 && h1) {  /* the first position reads the learned h_1 */
          float l = 0.0f;
          for (int g = 0; g < G; g++) l += gs[g][0];
          vstore(dV + j, dv + l * vload(h1 + j)); vstore(dh1 + j, vload(dh1 + j) + l * v);
          continue;
        }
        for (int g = 0; g < G; g++) { float l = gs[g][k]; dv += l * h[g]; dH[g] += l * v; }
        vstore(dV + (size_t)k * d + j, dv);
      }
      vf t = vload(db + j);  /* state 0 is act(b) */
      for (int g = 0; g < G; g++) t += vactivation_grad(dH[g], h[g], act) + dA[g];
      vstore(db + j, t);
    }
  }
  free(S); free(a); free(hb); free(no_ones); free(no_grad);
  return AR_OK;
}
