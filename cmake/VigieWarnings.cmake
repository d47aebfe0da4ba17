# Warnings and sanitizers are attached to targets through this interface library, never to global flags.
add_library(vigie_build_flags INTERFACE)
target_compile_options(vigie_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wno-missing-field-initializers)

option(VIGIE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(VIGIE_SANITIZE)
  target_compile_options(vigie_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                     -fno-sanitize-recover=undefined)
  target_link_options(vigie_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# clang evaluates std::string_view's constexpr length step by step: core/dump_tables.cc's embedded tables
# (hundreds of KiB of constexpr literals) need more than its default limit of 2^20 steps.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(vigie_build_flags INTERFACE -fconstexpr-steps=16777216)
endif()

# Fuzzing (the `fuzz` preset, clang only; tests/fuzz): the code under test gets libFuzzer's coverage
# instrumentation plus ASan and UBSan; only the fuzz executables link the libFuzzer runtime and its main
# (vigie_fuzz_flags, tests/fuzz/CMakeLists.txt). UBSan aborts so that libFuzzer records the input.
option(VIGIE_FUZZ "Build the libFuzzer targets of tests/fuzz (clang)" OFF)
add_library(vigie_fuzz_flags INTERFACE)
if(VIGIE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VIGIE_FUZZ needs clang (libFuzzer): configure with the fuzz preset")
  endif()
  target_compile_options(vigie_build_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                     -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(vigie_build_flags INTERFACE -fsanitize=address,undefined)
  target_link_options(vigie_fuzz_flags INTERFACE -fsanitize=fuzzer,address,undefined)
endif()

option(VIGIE_WERROR "Treat warnings as errors" OFF)
if(VIGIE_WERROR)
  target_compile_options(vigie_build_flags INTERFACE -Werror)
endif()
