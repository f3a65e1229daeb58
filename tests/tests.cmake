# One line per test binary: socsim_test(<name> <label> <sources...>)
socsim_core_test(units_test unit unit/units_test.cpp)
socsim_core_test(task_graph_test unit unit/task_graph_test.cpp)
socsim_core_test(huge_page_heap_test unit unit/huge_page_heap_test.cpp)
socsim_core_test(models_test unit unit/models_test.cpp)
socsim_core_test(hf_config_test unit unit/hf_config_test.cpp)
socsim_core_test(hw_profiles_test unit unit/hw_profiles_test.cpp)
socsim_core_test(config_reader_test unit unit/config_reader_test.cpp)
socsim_core_test(yaml_comments_test unit unit/yaml_comments_test.cpp)
socsim_core_test(overrides_test unit unit/overrides_test.cpp)
socsim_core_test(describe_test unit unit/describe_test.cpp)
socsim_core_test(config_errors_test config_error unit/config_errors_test.cpp)
socsim_test(engine_test rule unit/engine_rules_test.cpp unit/engine_backends_test.cpp)
socsim_test(simgrid_behaviour_test simgrid simgrid/simgrid_behaviour_test.cpp)
target_link_libraries(simgrid_behaviour_test PRIVATE PkgConfig::SimGrid)
socsim_test(lowering_test unit unit/lowering_test.cpp)
socsim_test(registry_test unit unit/registry_test.cpp)
socsim_test(cost_model_test unit unit/cost_model_test.cpp)
socsim_core_test(padded_efficiency_test unit unit/padded_efficiency_test.cpp)
socsim_test(cli_test cli unit/cli_test.cpp)
socsim_test(compare_cli_test cli unit/compare_cli_test.cpp)
add_dependencies(compare_cli_test socsim)
add_dependencies(cli_test socsim)
socsim_test(trace_test cli unit/trace_test.cpp)
add_dependencies(trace_test socsim)
socsim_test(engine_spec_test unit unit/engine_spec_test.cpp)
add_dependencies(engine_spec_test socsim)
socsim_test(golden_test golden unit/golden_test.cpp)
add_dependencies(golden_test socsim)
# Relink golden_test (and so rediscover its tests) when golden files are added or removed.
set_property(TARGET golden_test APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/golden)
socsim_test(verify_test rule verify/verify_test.cpp)
target_link_libraries(verify_test PRIVATE socsim_verify)
socsim_test(numerics_test rule verify/numerics_test.cpp)
target_link_libraries(numerics_test PRIVATE socsim_verify)
socsim_test(kernels_test unit kernels/kernels_test.cpp kernels/attention_test.cpp kernels/ffn_test.cpp)
target_link_libraries(kernels_test PRIVATE socsim_kernels)
socsim_test(calibrate_test unit unit/calibrate_test.cpp)
target_link_libraries(calibrate_test PRIVATE socsim_calibrate)
socsim_test(scheduler_test rule unit/scheduler_test.cpp)
socsim_test(mllm_npu_test rule unit/mllm_npu_test.cpp)
socsim_test(experiments_golden_test golden unit/experiments_golden_test.cpp)
# analysis/ scripts run with Debian's python3 (pandas, matplotlib), on socsim's outputs only.
find_program(SOCSIM_SYSTEM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
add_test(NAME analysis.plot_reproduce
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/analysis/plot_reproduce_test.sh $<TARGET_FILE:socsim> ${SOCSIM_SYSTEM_PYTHON}
                 ${CMAKE_SOURCE_DIR})
set_tests_properties(analysis.plot_reproduce PROPERTIES LABELS analysis)
add_test(NAME analysis.sweep_report
         COMMAND ${SOCSIM_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/analysis/analysis_test.py
                 $<TARGET_FILE:socsim> ${SOCSIM_SYSTEM_PYTHON} ${CMAKE_SOURCE_DIR})
set_tests_properties(analysis.sweep_report PROPERTIES LABELS analysis)
socsim_core_test(activation_model_test unit unit/activation_model_test.cpp)
socsim_core_test(neuron_cache_test unit unit/neuron_cache_test.cpp)
socsim_test(sparse_offload_test rule unit/sparse_offload_test.cpp)
socsim_test(powerinfer2_trends_test rule unit/powerinfer2_trends_test.cpp)
socsim_test(mmap_paging_test rule unit/mmap_paging_test.cpp)
socsim_test(model_library_test unit unit/model_library_test.cpp)
socsim_test(soc_library_test unit unit/soc_library_test.cpp)
socsim_test(decode_metrics_test unit unit/decode_metrics_test.cpp)
socsim_test(isolated_test unit unit/isolated_test.cpp)
socsim_core_test(activation_trace_test unit unit/activation_trace_test.cpp)
socsim_core_test(prefetched_activations_test unit unit/prefetched_activations_test.cpp)
# `socsim check`: run invariants on hand-made runs, broken policies, SLOs, and the CLI end to end.
socsim_test(check_test check check/invariants_test.cpp check/broken_policy_test.cpp check/slo_test.cpp
            check/random_check_test.cpp check/random_findings_test.cpp)
target_link_libraries(check_test PRIVATE socsim_check)
socsim_test(check_cli_test check check/check_cli_test.cpp)
add_dependencies(check_cli_test socsim)
add_dependencies(check_test socsim)  # the random check reruns points in a fresh socsim process
# 500 random design points (the first 500 of seed 1) through every invariant and two metamorphic
# relations each; exit 6 on any violation (socsim check --random, README).
add_test(NAME check.random_500 COMMAND socsim check --random 500 --seed 1 -j 2)
set_tests_properties(check.random_500 PROPERTIES LABELS "check;random" TIMEOUT 1800)
# socsim sweep / merge: sweep files, points, rows (in-process) and the command end to end.
socsim_test(sweep_test sweep unit/sweep_test.cpp)
socsim_test(simulation_memo_test unit unit/simulation_memo_test.cpp)
socsim_test(row_notes_test sweep unit/row_notes_test.cpp)
socsim_test(worker_pool_test sweep unit/worker_pool_test.cpp)
socsim_test(sweep_cli_test sweep unit/sweep_cli_test.cpp)
add_dependencies(sweep_cli_test socsim)
socsim_core_test(provenance_tag_test unit unit/provenance_tag_test.cpp)
socsim_test(provenance_test unit unit/provenance_test.cpp)
socsim_test(shipped_provenance_test unit unit/shipped_provenance_test.cpp)
socsim_test(sensitivity_test rule unit/sensitivity_test.cpp)
socsim_test(sensitivity_cli_test cli unit/sensitivity_cli_test.cpp)
add_dependencies(sensitivity_cli_test socsim)
socsim_test(reproduce_bands_test rule unit/reproduce_bands_test.cpp)
# llama.cpp on this machine: the GGUF writer, a tiny run in llama.cpp (skipped without its npm
# packages), the engine-table and output-row mechanisms and the host fit.
socsim_test(gguf_writer_test unit llamacpp/gguf_writer_test.cpp)
target_link_libraries(gguf_writer_test PRIVATE socsim_calibrate)
socsim_test(llamacpp_model_test unit llamacpp/llamacpp_model_test.cpp)
target_link_libraries(llamacpp_model_test PRIVATE socsim_calibrate)
socsim_test(page_cache_bench_test unit llamacpp/page_cache_bench_test.cpp)
target_link_libraries(page_cache_bench_test PRIVATE socsim_calibrate)
socsim_test(awake_cpus_test unit llamacpp/awake_cpus_test.cpp)
target_link_libraries(awake_cpus_test PRIVATE socsim_calibrate)
# The Python module under Debian's pytest (built when pybind11 is installed).
if(SOCSIM_PYTHON_MODULE)
  add_test(NAME python.socsim
           COMMAND ${SOCSIM_SYSTEM_PYTHON} -m pytest -q -p no:cacheprovider
                   ${CMAKE_CURRENT_SOURCE_DIR}/python)
  set_tests_properties(
    python.socsim
    PROPERTIES LABELS python ENVIRONMENT
               "PYTHONPATH=${CMAKE_BINARY_DIR}/python;SOCSIM_BINARY=$<TARGET_FILE:socsim>;SOCSIM_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
# The sweep's Slurm job array on a real single-node Slurm started by the test (skipped, exit 77,
# when slurmctld/slurmd/munge are not installed or cannot start here).
add_test(NAME slurm.job_array COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/slurm/slurm_array_test.sh
                                      $<TARGET_FILE:socsim> ${CMAKE_SOURCE_DIR})
set_tests_properties(slurm.job_array PROPERTIES LABELS sweep SKIP_RETURN_CODE 77 TIMEOUT 600)
socsim_test(session_test unit unit/session_test.cpp)
add_subdirectory(fuzz)  # fuzz harnesses replayed on their corpora (label fuzz); tests/fuzz/
