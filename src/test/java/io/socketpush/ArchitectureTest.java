package io.socketpush;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package structure of the server (docs/ARCHITECTURE.md): the feature packages under io.socketpush form no
 * cycle, {@code error} depends on no other package of ours, and only the node's composition root
 * ({@code io.socketpush}: NodeVerticle) sees every package, so nothing depends on it. The owners reach edges only
 * through {@code delivery}; {@code delivery} knows no owner and no edge; {@code cluster} uses only the base packages;
 * the edge calls owners only through their interfaces.
 */
class ArchitectureTest {
  private static final JavaClasses SERVER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.socketpush");

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.socketpush.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void errorIsALeaf() {
    noClasses().that().resideInAPackage("io.socketpush.error..")
        .should().dependOnClassesThat(resideInAPackage("io.socketpush..").and(not(resideInAPackage("io.socketpush.error.."))))
        .check(SERVER);
  }

  @Test
  void ownersReachEdgesOnlyThroughTheDeliveryPlane() {
    noClasses().that().resideInAnyPackage("io.socketpush.auth..", "io.socketpush.user..", "io.socketpush.channel..")
        .should().dependOnClassesThat().resideInAnyPackage("io.socketpush.edge..", "io.socketpush.shard..",
            "io.socketpush.management..", "io.socketpush.client..")
        .check(SERVER);
  }

  @Test
  void theDeliveryPlaneKnowsNoOwnerAndNoEdge() {
    noClasses().that().resideInAPackage("io.socketpush.delivery..")
        .should().dependOnClassesThat().resideInAnyPackage("io.socketpush.auth..", "io.socketpush.user..",
            "io.socketpush.channel..", "io.socketpush.edge..", "io.socketpush.shard..", "io.socketpush.management..")
        .check(SERVER);
  }

  @Test
  void theClusterLayerUsesOnlyTheBase() {
    noClasses().that().resideInAPackage("io.socketpush.cluster..")
        .should().dependOnClassesThat(resideInAPackage("io.socketpush..").and(not(resideInAPackage("io.socketpush.cluster..")))
            .and(not(resideInAPackage("io.socketpush.config.."))).and(not(resideInAPackage("io.socketpush.error..")))
            .and(not(resideInAPackage("io.socketpush.message.."))))
        .check(SERVER);
  }

  @Test
  void theEdgeCallsNoOwnerImplementation() {
    noClasses().that().resideInAPackage("io.socketpush.edge..")
        .should().dependOnClassesThat().haveSimpleNameEndingWith("ServiceImpl")
        .check(SERVER);
  }

  @Test
  void nothingDependsOnTheCompositionRoot() {
    noClasses().that().resideOutsideOfPackage("io.socketpush")
        .should().dependOnClassesThat().resideInAPackage("io.socketpush")
        .check(SERVER);
  }
}
