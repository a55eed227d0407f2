# SPDX-License-Identifier: GPL-2.0-or-later
# Provider adapters: library ebbgridsources. See gridsources/README.md.
find_package(pugixml REQUIRED)
find_package(date REQUIRED)  # date::date-tz, for tariff hours in the site's time zone

add_library(ebbgridsources STATIC
  ${CMAKE_CURRENT_LIST_DIR}/http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limiter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/normalise.cpp
  ${CMAKE_CURRENT_LIST_DIR}/source_base.cpp
  ${CMAKE_CURRENT_LIST_DIR}/merge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/uk_carbon_intensity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/forecast_file_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/electricity_maps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/watttime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/energy_charts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/entsoe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/awattar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/octopus.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nordpool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/carbon_aware_sdk.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tariff.cpp
)
target_include_directories(ebbgridsources
  PUBLIC ${PROJECT_SOURCE_DIR}/include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(ebbgridsources PRIVATE EBB_VERSION="${PROJECT_VERSION}")
target_link_libraries(ebbgridsources
  PUBLIC ebbcore
  PRIVATE CURL::libcurl simdjson::simdjson pugixml::pugixml date::date-tz Threads::Threads)

# Under EBB_FUZZ (clang) the adapters are instrumented for libFuzzer's coverage and the
# sanitizers; whatever links them gets the sanitizer runtimes.
if(EBB_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(ebbgridsources PRIVATE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(ebbgridsources INTERFACE -fsanitize=address,undefined)
endif()
