# cluster/slurm/job.sh -- sourced by every batch script here, at the start of the job:
# the site's settings (cluster/site.env), the binary, the job's results directory, what Open MPI
# needs to run as root, and `finish`, which merges the job's files and prints the report.
# Jobs find parkit's home (the directory holding cluster/) through $PARKIT_HOME, else the
# directory sbatch was run from (Slurm runs a copy of the script, so its own path says nothing).
# In a checkout the home is the checkout; in an install it is <prefix>/share/parkit, which
# `module load parkit` exports (for the .deb: export PARKIT_HOME=/usr/share/parkit).
# shellcheck shell=bash
set -euo pipefail
PARKIT_HOME=${PARKIT_HOME:-$SLURM_SUBMIT_DIR}
site_env=${PARKIT_SITE_ENV:-$PARKIT_HOME/cluster/site.env}
if [[ ! -f $site_env ]]; then
  echo "parkit job: no site settings at '$site_env': submit from a checkout, or export" \
    "PARKIT_HOME=/path/to/parkit (an install's share/parkit), or PARKIT_SITE_ENV=/path/to/site.env" >&2
  exit 2
fi
# shellcheck source=../site.env
source "$site_env"

# The binary: PARKIT (site.env or the environment), else the checkout's release build, else the
# install's bin/ (home = <prefix>/share/parkit), else parkit on PATH.
if [[ -z ${PARKIT:-} ]]; then
  for candidate in "$PARKIT_HOME/build/release/parkit" "$PARKIT_HOME/../../bin/parkit"; do
    if [[ -x $candidate ]]; then PARKIT=$(realpath "$candidate"); break; fi
  done
  [[ -n ${PARKIT:-} ]] || PARKIT=$(command -v parkit || true)
fi
[[ -n $PARKIT && -x $PARKIT ]] || { echo "parkit job: no parkit binary (build it, install it on PATH, or set PARKIT in site.env)" >&2; exit 2; }
export PARKIT
export PARKIT_RESULTS_DIR=${PARKIT_RESULTS_DIR:-$SLURM_SUBMIT_DIR/parkit-results/$SLURM_JOB_NAME-${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}}
mkdir -p "$PARKIT_RESULTS_DIR"
if [[ $(id -u) -eq 0 ]]; then  # Open MPI refuses root without both
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
  export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
fi
echo "parkit job $SLURM_JOB_ID ($SLURM_JOB_NAME) on $SLURM_JOB_NODELIST: $SLURM_NTASKS task(s)," \
  "$PARKIT, results in $PARKIT_RESULTS_DIR" >&2

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
