package example;

/** Gives the project a class, so its JAR is an ordinary application JAR. */
public final class App {
  public static void main(String[] args) {
    System.out.println("linear.npujar is a resource of this JAR");
  }
}
