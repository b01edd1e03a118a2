/**
 * Limited-memory BFGS for smooth convex objectives (the logistic-regression loss). The objective
 * writes its gradient into the array it is given, so an iteration allocates nothing.
 */
export type Objective = (theta: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when max |gradient| <= tol (scipy's pgtol, what scikit-learn passes as `tol`). */
  tol: number;
  /** Stop when the relative decrease of the objective is below this (scipy's factr * eps). */
  ftol?: number;
  memory?: number;
}

export interface LbfgsResult {
  theta: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
  }
  if (i < n) s0 += a[i]! * b[i]!;
  return s0 + s1;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

export function minimizeLbfgs(objective: Objective, theta0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const size = theta0.length;
  const m = options.memory ?? 10;
  const ftol = options.ftol ?? 1e7 * 2.220446049250313e-16; // scipy: factr 1e7 times machine epsilon
  const theta = Float64Array.from(theta0);
  const grad = new Float64Array(size);
  const trial = new Float64Array(size);
  const trialGrad = new Float64Array(size);
  const direction = new Float64Array(size);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    sHist.push(new Float64Array(size));
    yHist.push(new Float64Array(size));
  }
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let head = 0; // next slot to write
  let evaluations = 1;
  let value = objective(theta, grad);
  let iterations = 0;
  let converged = maxAbs(grad) <= options.tol;

  while (!converged && iterations < options.maxIter) {
    // Two-loop recursion: direction = -H * grad.
    for (let i = 0; i < size; i++) direction[i] = -grad[i]!;
    for (let h = 0; h < stored; h++) {
      const slot = (head - 1 - h + m) % m;
      const a = rho[slot]! * dot(sHist[slot]!, direction);
      alpha[slot] = a;
      const yv = yHist[slot]!;
      for (let i = 0; i < size; i++) direction[i]! -= a * yv[i]!;
    }
    if (stored > 0) {
      const last = (head - 1 + m) % m;
      const yv = yHist[last]!;
      const gamma = dot(sHist[last]!, yv) / dot(yv, yv);
      for (let i = 0; i < size; i++) direction[i]! *= gamma;
    }
    for (let h = stored - 1; h >= 0; h--) {
      const slot = (head - 1 - h + m) % m;
      const beta = rho[slot]! * dot(yHist[slot]!, direction);
      const sv = sHist[slot]!;
      const coef = alpha[slot]! - beta;
      for (let i = 0; i < size; i++) direction[i]! += coef * sv[i]!;
    }
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < size; i++) direction[i] = -grad[i]!;
      slope = dot(grad, direction);
    }
    let step = stored === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;

    // Backtracking line search (Armijo) with safeguarded quadratic interpolation.
    let accepted = false;
    let trialValue = value;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < size; i++) trial[i] = theta[i]! + step * direction[i]!;
      trialValue = objective(trial, trialGrad);
      evaluations++;
      if (Number.isFinite(trialValue) && trialValue <= value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      const denom = 2 * (trialValue - value - slope * step);
      let next = Number.isFinite(trialValue) && denom > 0 ? (-slope * step * step) / denom : step * 0.5;
      next = Math.min(Math.max(next, step * 0.1), step * 0.5);
      step = next;
    }
    if (!accepted) break;
    iterations++;

    // Curvature pair; skipped when it would break positive definiteness.
    const sv = sHist[head]!;
    const yv = yHist[head]!;
    for (let i = 0; i < size; i++) {
      sv[i] = trial[i]! - theta[i]!;
      yv[i] = trialGrad[i]! - grad[i]!;
    }
    const sy = dot(sv, yv);
    if (sy > 1e-10 * Math.sqrt(dot(sv, sv) * dot(yv, yv))) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      if (stored < m) stored++;
    }
    const previous = value;
    theta.set(trial);
    grad.set(trialGrad);
    value = trialValue;
    if (maxAbs(grad) <= options.tol) converged = true;
    else if ((previous - value) / Math.max(Math.abs(previous), Math.abs(value), 1) <= ftol) converged = true;
  }
  return { theta, value, iterations, evaluations, converged };
}
