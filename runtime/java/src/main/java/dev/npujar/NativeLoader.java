package dev.npujar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the JNI library {@code npujar_jni} once per class loader. The search order is documented on
 * {@link Npujar#loadNativeLibrary()}; this class implements it and turns the JVM's {@link
 * UnsatisfiedLinkError} texts into messages that name the cause and the property to set.
 */
final class NativeLoader {
  static final String LIBRARY_NAME = "npujar_jni";
  static final String SKIP_PROPERTY = "npujar.native.skip";
  static final String PATH_PROPERTY = "npujar.native.path";
  static final String CACHE_DIR_PROPERTY = "npujar.native.cacheDir";
  static final String RESOURCE_ROOT = "dev/npujar/native/";

  private static final System.Logger LOG = System.getLogger("dev.npujar");
  private static final Pattern GLIBC_VERSION = Pattern.compile("GLIBC_[0-9.]+");

  /** Description of the loaded library's source, for messages; null until it is loaded. */
  private static volatile String loadedFrom;

  private NativeLoader() {}

  /**
   * Loads the library unless this class loader already did.
   *
   * @throws NativeLibraryException if it cannot be loaded
   */
  static void ensureLoaded() {
    if (loadedFrom == null) {
      loadOnce();
    }
  }

  /** Returns where the library came from, e.g. "extracted from the JAR to /home/u/.cache/...". */
  static String loadedFrom() {
    ensureLoaded();
    return loadedFrom;
  }

  private static synchronized void loadOnce() {
    if (loadedFrom != null) {
      return;
    }
    String source = load();
    checkBindingVersion(source);
    LOG.log(System.Logger.Level.DEBUG, "npujar native library {0}", source);
    loadedFrom = source;
  }

  private static String load() {
    if (Boolean.parseBoolean(System.getProperty(SKIP_PROPERTY))) {
      return "assumed loaded by the application (" + SKIP_PROPERTY + "=true)";
    }

    String explicitPath = System.getProperty(PATH_PROPERTY);
    if (explicitPath != null && !explicitPath.isEmpty()) {
      Path path = Paths.get(explicitPath).toAbsolutePath();
      systemLoad(path, "set by " + PATH_PROPERTY);
      return "loaded from " + path + " (" + PATH_PROPERTY + ")";
    }

    String platform = Platform.current();
    String fileName = Platform.libraryFileName(LIBRARY_NAME);
    String resourceName = RESOURCE_ROOT + platform + "/" + fileName;
    URL resource = NativeLoader.class.getClassLoader().getResource(resourceName);
    if (resource != null) {
      return loadFromJar(resource, resourceName, fileName);
    }

    try {
      System.loadLibrary(LIBRARY_NAME);
      return "loaded from java.library.path";
    } catch (UnsatisfiedLinkError error) {
      if (isClassLoaderConflict(error)) {
        throw classLoaderConflict(fileName + " from java.library.path", error);
      }
      throw new NativeLibraryException(
          "no npujar native library for platform "
              + platform
              + ": the JAR has no resource "
              + resourceName
              + " and java.library.path ("
              + System.getProperty("java.library.path")
              + ") has no "
              + fileName
              + "; build the npujar_jni target for this platform and set -D"
              + PATH_PROPERTY
              + "=/path/to/"
              + fileName,
          error);
    }
  }

  private static String loadFromJar(URL resource, String resourceName, String fileName) {
    String expectedSha256 = readChecksum(resourceName);
    Path directory =
        NativeLibraryExtractor.versionedDirectory(cacheRoot(), version(), expectedSha256);
    Path library;
    try {
      // A JAR entry's URL connection reports the entry's uncompressed size, -1 if unknown.
      long expectedSize = resource.openConnection().getContentLengthLong();
      library =
          NativeLibraryExtractor.extract(
              resource::openStream, expectedSha256, expectedSize, directory, fileName);
    } catch (IOException | UncheckedIOException error) {
      throw new NativeLibraryException(
          "cannot extract the npujar native library to "
              + directory
              + ": "
              + error
              + "; set -D"
              + CACHE_DIR_PROPERTY
              + " to a writable directory on a file system that allows executing files",
          error);
    }
    systemLoad(library, "extracted from the JAR");
    return "extracted from the JAR to " + library;
  }

  private static void systemLoad(Path library, String how) {
    try {
      System.load(library.toString());
    } catch (UnsatisfiedLinkError error) {
      throw explainLoadFailure(error, library, how);
    }
  }

  /** Turns the JVM's load error into a message naming the cause and the fix. */
  static NativeLibraryException explainLoadFailure(
      UnsatisfiedLinkError error, Path library, String how) {
    String text = String.valueOf(error.getMessage());
    String prefix = "cannot load the npujar native library " + library + " (" + how + "): ";

    if (isClassLoaderConflict(error)) {
      return classLoaderConflict(library.toString(), error);
    }
    Matcher glibc = GLIBC_VERSION.matcher(text);
    if (glibc.find()) {
      return new NativeLibraryException(
          prefix
              + "it needs C library version "
              + glibc.group()
              + ", newer than this system's glibc; run on a newer Linux distribution, or build"
              + " npujar_jni on one as old as this and set -D"
              + PATH_PROPERTY
              + " to it ("
              + text
              + ")",
          error);
    }
    if (text.contains("failed to map segment")) {
      return new NativeLibraryException(
          prefix
              + "the system refused to map it for execution, which happens when its directory is on"
              + " a file system mounted noexec; set -D"
              + CACHE_DIR_PROPERTY
              + " to a directory on an executable file system ("
              + text
              + ")",
          error);
    }
    if (text.contains("wrong ELF class")
        || text.contains("invalid ELF header")
        || text.contains("cannot open shared object file")
        || text.contains("Can't load")) {
      return new NativeLibraryException(
          prefix
              + "the file is missing or is not a library for platform "
              + Platform.current()
              + "; set -D"
              + PATH_PROPERTY
              + " to a libnpujar_jni built for this platform ("
              + text
              + ")",
          error);
    }
    return new NativeLibraryException(
        prefix + text + "; set -D" + PATH_PROPERTY + " to a working copy of the library", error);
  }

  private static boolean isClassLoaderConflict(UnsatisfiedLinkError error) {
    return String.valueOf(error.getMessage()).contains("already loaded in another classloader");
  }

  private static NativeLibraryException classLoaderConflict(
      String library, UnsatisfiedLinkError error) {
    return new NativeLibraryException(
        "cannot load the npujar native library "
            + library
            + " in class loader "
            + NativeLoader.class.getClassLoader()
            + " because another class loader of this JVM already loaded it, and a JVM binds each"
            + " native library to a single class loader; put the npujar-runtime JAR on a class"
            + " loader that both share (the application or a common parent class loader) instead"
            + " of on each child",
        error);
  }

  private static void checkBindingVersion(String source) {
    int nativeVersion;
    try {
      nativeVersion = NativeApi.bindingVersion();
    } catch (UnsatisfiedLinkError error) {
      throw new NativeLibraryException(
          "the npujar native library is not loaded in this class loader, or is not npujar_jni ("
              + source
              + "); unset -D"
              + SKIP_PROPERTY
              + " or load libnpujar_jni with System.load from a class of this class loader before"
              + " using npujar",
          error);
    }
    if (nativeVersion != NativeApi.BINDING_VERSION) {
      throw new NativeLibraryException(
          "the npujar native library ("
              + source
              + ") implements JNI binding version "
              + nativeVersion
              + " but this npujar-runtime "
              + version()
              + " JAR needs version "
              + NativeApi.BINDING_VERSION
              + "; use the library built with this JAR");
    }
  }

  private static String readChecksum(String resourceName) {
    String checksumName = resourceName + ".sha256";
    try (InputStream input =
        NativeLoader.class.getClassLoader().getResourceAsStream(checksumName)) {
      if (input == null) {
        throw new NativeLibraryException(
            "the JAR contains "
                + resourceName
                + " but not its checksum "
                + checksumName
                + "; rebuild the JAR with the npujar Maven build");
      }
      String text = new String(input.readAllBytes(), StandardCharsets.US_ASCII).trim();
      String checksum = text.split("\\s+")[0].toLowerCase(Locale.ROOT);
      if (!checksum.matches("[0-9a-f]{64}")) {
        throw new NativeLibraryException(
            "the checksum resource "
                + checksumName
                + " contains '"
                + text
                + "' instead of a SHA-256 in hex; rebuild the JAR with the npujar Maven build");
      }
      return checksum;
    } catch (IOException error) {
      throw new NativeLibraryException(
          "cannot read " + checksumName + " from the JAR: " + error, error);
    }
  }

  /**
   * Returns the extraction root: {@code npujar.native.cacheDir}, else {@code
   * ~/.cache/npujar/native}.
   */
  static Path cacheRoot() {
    String configured = System.getProperty(CACHE_DIR_PROPERTY);
    if (configured != null && !configured.isEmpty()) {
      return Paths.get(configured).toAbsolutePath();
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "npujar", "native");
  }

  /** Returns the npujar-runtime version this JAR was built as. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream input =
        NativeLoader.class.getResourceAsStream("/dev/npujar/version.properties")) {
      if (input != null) {
        properties.load(input);
      }
    } catch (IOException ignored) {
      // Falls through to "unknown"; only the cache directory name uses the version.
    }
    return properties.getProperty("version", "unknown");
  }
}
