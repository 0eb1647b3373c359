/* allreduce-probe: a small real MPI program for the cluster harnesses.
 *
 * Every rank prints where it runs, then the ranks sum a gradient-sized float
 * buffer with MPI_Allreduce again and again and check the sums (each rank
 * knows what every other rank contributed), like the student ranks' gradient
 * sync. Rank 0 reports the mean time of one all-reduce.
 *
 *   allreduce-probe [--floats N] [--iters K] [--seconds S] [--fail-rank R]
 *
 *   --floats N     floats per all-reduce (default 262144 = 1 MiB)
 *   --iters K      all-reduces to run (default 20)
 *   --seconds S    run until S seconds have passed instead (rank 0 decides and
 *                  broadcasts, so every rank runs the same collectives)
 *   --fail-rank R  rank R aborts the job (MPI_Abort, code 3) after the first
 *                  all-reduce: a deliberately failing run
 *
 * Output lines, all starting with "probe:":
 *   probe: rank R of N on HOST pid P
 *   probe: ready                       (rank 0, after the first all-reduce)
 *   probe: result floats=N iters=K ms_per_allreduce=X checksum=C ok
 * Exit 0 when every sum was right; a wrong sum aborts with code 2.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    long floats = 262144, iters = 20, fail_rank = -1;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--floats") && i + 1 < argc) floats = atol(argv[++i]);
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc) iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--fail-rank") && i + 1 < argc) fail_rank = atol(argv[++i]);
        else {
            if (rank == 0) fprintf(stderr, "allreduce-probe: unknown argument '%s'\n", argv[i]);
            MPI_Finalize();
            return 64;
        }
    }
    if (floats < 1) floats = 1;

    char host[MPI_MAX_PROCESSOR_NAME];
    int host_length;
    MPI_Get_processor_name(host, &host_length);
    printf("probe: rank %d of %d on %s pid %d\n", rank, size, host, (int)getpid());
    fflush(stdout);

    float *buffer = malloc(sizeof(float) * floats);
    /* Rank r contributes r + 1 + (i % 7) at index i: the sum over ranks is
       size*(size+1)/2 + size*(i % 7), exact in float for small sizes. */
    double total_time = 0, checksum = 0;
    long done = 0;
    double start = MPI_Wtime();
    for (;;) {
        for (long i = 0; i < floats; i++) buffer[i] = (float)(rank + 1 + i % 7);
        double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buffer, (int)floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        total_time += MPI_Wtime() - t0;
        for (long i = 0; i < floats; i++) {
            float expected = (float)(size * (size + 1) / 2 + size * (i % 7));
            if (buffer[i] != expected) {
                fprintf(stderr, "probe: rank %d: wrong sum at %ld: %g, expected %g\n",
                        rank, i, buffer[i], expected);
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
        }
        checksum += buffer[floats - 1];
        done++;
        if (done == 1) {
            if (rank == 0) { printf("probe: ready\n"); fflush(stdout); }
            if (rank == fail_rank) {
                fprintf(stderr, "probe: rank %d fails on purpose (--fail-rank)\n", rank);
                MPI_Abort(MPI_COMM_WORLD, 3);
            }
        }
        int more = seconds > 0 ? (MPI_Wtime() - start < seconds) : (done < iters);
        MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (!more) break;
    }
    if (rank == 0) {
        printf("probe: result floats=%ld iters=%ld ms_per_allreduce=%.3f checksum=%.0f ok\n",
               floats, done, 1000.0 * total_time / done, checksum);
        fflush(stdout);
    }
    free(buffer);
    MPI_Finalize();
    return 0;
}
