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

option(VIGIE_WERROR "Treat warnings as errors" OFF)
if(VIGIE_WERROR)
  target_compile_options(vigie_build_flags INTERFACE -Werror)
endif()
