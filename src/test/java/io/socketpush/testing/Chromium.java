package io.socketpush.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven by Debian's chromedriver with explicit paths (Selenium Manager never
 * runs: no internet) and a throw-away profile. A missing browser fails the test, never skips it: CI
 * installs both.
 */
public final class Chromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  public final ChromeDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  private Chromium(ChromeDriver driver, ChromeDriverService service, Path profile) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
  }

  /** Starts the browser; {@code tweak} may add options (window size, logging capabilities, ...). */
  public static Chromium start(Consumer<ChromeOptions> tweak) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      fail("Chromium not found at " + BINARY + ": install it (apt-get install -y chromium chromium-driver)");
    }
    if (!Files.isExecutable(DRIVER)) {
      fail("ChromeDriver not found at " + DRIVER + ": install it (apt-get install -y chromium-driver)");
    }
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    Path profile = Files.createTempDirectory("socketpush-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--user-data-dir=" + profile.toAbsolutePath());
    tweak.accept(options);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    try {
      return new Chromium(new ChromeDriver(service, options), service, profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteRecursively(profile);
      throw e;
    }
  }

  /** Runs a script in the page; its result. */
  public Object js(String script) {
    return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script);
  }

  /** Waits (20 s at most) until the page's JavaScript expression {@code condition} is true. */
  public void waitUntil(String what, String condition) {
    new org.openqa.selenium.support.ui.WebDriverWait(driver, java.time.Duration.ofSeconds(20)).withMessage(what)
        .until(d -> Boolean.TRUE.equals(js("return " + condition + ";")));
  }

  /** Quits the browser, stops the driver and deletes the profile, whatever fails on the way. */
  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try {
        service.stop();
      } finally {
        deleteRecursively(profile);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
