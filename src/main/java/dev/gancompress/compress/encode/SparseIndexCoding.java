package dev.gancompress.compress.encode;

import java.util.Arrays;

/**
 * Where the non-zero entries of a pruned tensor are, in one of two forms; the container keeps whichever codes
 * smaller for each tensor.
 *
 * <ul>
 *   <li>Relative indices (Han, Mao and Dally 2016, section 3, Figure 2): for each entry in row-major order, the
 *   number of zeros since the previous entry in {@code indexBits} bits; a gap too long for that width gets filler
 *   entries, each placed 2^b positions after the previous entry and holding an explicit zero.</li>
 *   <li>CSR: per row (the leading axis) the number of entries, and each entry's column.</li>
 * </ul>
 * Both give the positions of the entries; the values are coded separately (fillers included).
 */
final class SparseIndexCoding {
    private SparseIndexCoding() {
    }

    /** Entries as relative gaps: {@code gaps[i]} zeros before entry i; {@code positions[i]} where it sits. */
    record Relative(int[] gaps, int[] positions) {
    }

    static Relative relative(int[] elements, int zero, int indexBits) {
        int span = 1 << indexBits;
        int[] gaps = new int[16];
        int[] positions = new int[16];
        int n = 0;
        int previous = -1;
        for (int i = 0; i < elements.length; i++) {
            if (elements[i] == zero) {
                continue;
            }
            while (i - previous - 1 >= span) { // filler: 2^b - 1 zeros, then an explicit zero entry
                previous += span;
                if (n == gaps.length) {
                    gaps = Arrays.copyOf(gaps, n * 2);
                    positions = Arrays.copyOf(positions, n * 2);
                }
                gaps[n] = span - 1;
                positions[n++] = previous;
            }
            if (n == gaps.length) {
                gaps = Arrays.copyOf(gaps, n * 2);
                positions = Arrays.copyOf(positions, n * 2);
            }
            gaps[n] = i - previous - 1;
            positions[n++] = i;
            previous = i;
        }
        return new Relative(Arrays.copyOf(gaps, n), Arrays.copyOf(positions, n));
    }

    /** The positions that {@code gaps} describe; a position past {@code size} is a format error. */
    static int[] positionsFromGaps(int[] gaps, int size, ByteSource where) {
        int[] positions = new int[gaps.length];
        long p = -1;
        for (int i = 0; i < gaps.length; i++) {
            p += gaps[i] + 1L;
            if (p >= size) {
                throw where.error("sparse entry " + i + " lies at position " + p + ", past the tensor's " + size
                        + " elements");
            }
            positions[i] = (int) p;
        }
        return positions;
    }

    /** CSR over {@code rows} rows: the entry count of each row and each entry's column. */
    record Csr(int[] rowCounts, int[] columns, int[] positions) {
    }

    static Csr csr(int[] elements, int zero, int rows) {
        int cols = rows == 0 ? 0 : elements.length / rows;
        int[] counts = new int[rows];
        int nnz = 0;
        for (int v : elements) {
            if (v != zero) {
                nnz++;
            }
        }
        int[] columns = new int[nnz];
        int[] positions = new int[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (elements[i] != zero) {
                    counts[r]++;
                    columns[k] = c;
                    positions[k++] = i;
                }
            }
        }
        return new Csr(counts, columns, positions);
    }

    /** The positions of CSR entries; columns must rise strictly within a row. */
    static int[] positionsFromCsr(int[] rowCounts, int[] columns, int cols, ByteSource where) {
        int[] positions = new int[columns.length];
        int k = 0;
        for (int r = 0; r < rowCounts.length; r++) {
            if (rowCounts[r] > columns.length - k) {
                throw where.error("CSR row " + r + " claims " + rowCounts[r] + " entries, only " + (columns.length - k)
                        + " remain");
            }
            int previous = -1;
            for (int j = 0; j < rowCounts[r]; j++, k++) {
                if (columns[k] <= previous || columns[k] >= cols) {
                    throw where.error("CSR column " + columns[k] + " in row " + r + " is not ascending within [0, "
                            + cols + ")");
                }
                previous = columns[k];
                positions[k] = r * cols + columns[k];
            }
        }
        if (k != columns.length) {
            throw where.error("CSR rows hold " + k + " entries, the column stream " + columns.length);
        }
        return positions;
    }
}
