package dev.npujar;

import java.util.Locale;

/**
 * Names the platform as the JAR's native folders do, {@code <os>-<arch>}: {@code linux-x86_64},
 * {@code linux-aarch64}, {@code osx-x86_64}, {@code osx-aarch64}, {@code windows-x86_64}, and so
 * on. An unknown OS or architecture keeps the JVM's own name, so the error for a missing library
 * names it.
 */
final class Platform {
  private Platform() {}

  static String current() {
    return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  static String of(String osName, String osArch) {
    return os(osName) + "-" + arch(osArch);
  }

  private static String os(String osName) {
    String name = osName.toLowerCase(Locale.ROOT);
    if (name.startsWith("linux")) {
      return "linux";
    }
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return "osx";
    }
    if (name.startsWith("windows")) {
      return "windows";
    }
    return name.replaceAll("[^a-z0-9]", "");
  }

  private static String arch(String osArch) {
    String name = osArch.toLowerCase(Locale.ROOT);
    switch (name) {
      case "amd64":
      case "x86_64":
      case "x86-64":
        return "x86_64";
      case "aarch64":
      case "arm64":
        return "aarch64";
      default:
        return name.replaceAll("[^a-z0-9_]", "");
    }
  }

  /** The library's file name here: libnpujar_jni.so, libnpujar_jni.dylib or npujar_jni.dll. */
  static String libraryFileName(String libraryName) {
    return System.mapLibraryName(libraryName).replace(".jnilib", ".dylib");
  }
}
