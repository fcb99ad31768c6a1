# cluster/slurm/job.sh -- sourced by every batch script here, at the start of the job:
# the site's settings (cluster/site.env), the binary, the job's results directory, what Open MPI
# needs to run as root, and `finish`, which merges the job's files and prints the report.
# Jobs find the checkout through $PARKIT_HOME, else the directory sbatch was run from (Slurm
# runs a copy of the script, so its own path says nothing).
# shellcheck shell=bash
set -euo pipefail
PARKIT_HOME=${PARKIT_HOME:-$SLURM_SUBMIT_DIR}
if [[ ! -f $PARKIT_HOME/cluster/site.env ]]; then
  echo "parkit job: no cluster/site.env under '$PARKIT_HOME': submit from the checkout, or" \
    "export PARKIT_HOME=/path/to/parkit" >&2
  exit 2
fi
# shellcheck source=../site.env
source "$PARKIT_HOME/cluster/site.env"

if [[ -z ${PARKIT:-} ]]; then
  if [[ -x $PARKIT_HOME/build/release/parkit ]]; then PARKIT=$PARKIT_HOME/build/release/parkit
  else PARKIT=$(command -v parkit || true); fi
fi
[[ -n $PARKIT && -x $PARKIT ]] || { echo "parkit job: no parkit binary (build it, or set PARKIT in cluster/site.env)" >&2; exit 2; }
export PARKIT
export PARKIT_RESULTS_DIR=${PARKIT_RESULTS_DIR:-$SLURM_SUBMIT_DIR/parkit-results/$SLURM_JOB_NAME-${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}}
mkdir -p "$PARKIT_RESULTS_DIR"
if [[ $(id -u) -eq 0 ]]; then  # Open MPI refuses root without both
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
  export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
fi
echo "parkit job $SLURM_JOB_ID ($SLURM_JOB_NAME) on $SLURM_JOB_NODELIST: $SLURM_NTASKS task(s)," \
  "results in $PARKIT_RESULTS_DIR" >&2

# finish [NAME]: every step's file of this job merged into NAME (default study.h5) in the
# results directory, and the scaling report of them printed.
finish() {
  local study=$PARKIT_RESULTS_DIR/${1:-study.h5}
  local files=()
  for f in "$PARKIT_RESULTS_DIR"/parkit-*.h5; do [[ -e $f ]] && files+=("$f"); done
  [[ ${#files[@]} -gt 0 ]] || { echo "parkit job: no results files in $PARKIT_RESULTS_DIR" >&2; return 1; }
  "$PARKIT" merge "${files[@]}" -o "$study" --force
  "$PARKIT" report "$study"
}
