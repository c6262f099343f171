package dev.duplex.engine.envsync;

import java.util.Arrays;

/**
 * Ordinary least squares by the normal equations, with coefficients kept non-negative: a
 * coefficient that comes out negative (a cost cannot be) is fixed at 0 and the rest refitted.
 */
final class LeastSquares {
    private LeastSquares() {
    }

    /**
     * @param rows the feature rows, all of the same width
     * @param y the measured values
     * @return the coefficients, each 0 or more
     */
    static double[] fitNonNegative(double[][] rows, double[] y) {
        int width = rows[0].length;
        boolean[] active = new boolean[width];
        Arrays.fill(active, true);
        while (true) {
            double[] c = fit(rows, y, active);
            int worst = -1;
            for (int j = 0; j < width; j++) {
                if (active[j] && (c[j] < 0 || Double.isNaN(c[j])) && (worst < 0 || c[j] < c[worst] || Double.isNaN(c[j]))) {
                    worst = j;
                }
            }
            if (worst < 0) {
                return c;
            }
            active[worst] = false;
        }
    }

    private static double[] fit(double[][] rows, double[] y, boolean[] active) {
        int width = active.length;
        int[] columns = java.util.stream.IntStream.range(0, width).filter(j -> active[j]).toArray();
        int k = columns.length;
        double[][] a = new double[k][k + 1];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    a[i][j] += rows[r][columns[i]] * rows[r][columns[j]];
                }
                a[i][k] += rows[r][columns[i]] * y[r];
            }
        }
        double[] solved = solve(a);
        double[] c = new double[width];
        for (int i = 0; i < k; i++) {
            c[columns[i]] = solved[i];
        }
        return c;
    }

    /** Gaussian elimination with partial pivoting; a singular column gets NaN. */
    private static double[] solve(double[][] a) {
        int k = a.length;
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            if (Math.abs(a[col][col]) < 1e-12 * Math.max(1, Math.abs(a[col][k]))) {
                continue;
            }
            for (int r = 0; r < k; r++) {
                if (r != col) {
                    double f = a[r][col] / a[col][col];
                    for (int j = col; j <= k; j++) {
                        a[r][j] -= f * a[col][j];
                    }
                }
            }
        }
        double[] x = new double[k];
        for (int i = 0; i < k; i++) {
            x[i] = Math.abs(a[i][i]) < 1e-300 ? Double.NaN : a[i][k] / a[i][i];
        }
        return x;
    }
}
