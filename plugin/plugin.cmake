# SPDX-License-Identifier: GPL-2.0-or-later
# spank_ebb.so: the SPANK plugin loaded by sbatch, salloc, srun, slurmd and slurmstepd.
# Laid out like NVIDIA's pyxis: one file per Slurm context plus a dispatch file.
# It is not linked against libslurm: the Slurm symbols it uses (SPANK API, opt,
# slurm_option_*) come from the loading command at run time. ebbclient (a raw-socket HTTP
# client, no cpp-httplib) asks ebbd for the plan; --exclude-libs keeps its symbols private.
add_library(spank_ebb MODULE
  spank_ebb.cpp
  allocator.cpp
  remote.cpp
  options.cpp
  settings.cpp
  slurm_opt.cpp
  job_request.cpp
  decision_source.cpp
  budget_note.cpp
  message.cpp
)
set_target_properties(spank_ebb PROPERTIES
  PREFIX ""
  OUTPUT_NAME spank_ebb
  LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/spank_ebb.map
)
target_include_directories(spank_ebb PRIVATE ${SLURM_INCLUDE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(spank_ebb PRIVATE ebbclient ebbcore ${CMAKE_DL_LIBS})
target_link_options(spank_ebb PRIVATE
  -Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/spank_ebb.map
  -Wl,--exclude-libs,ALL)
